"""Prints bench/settrace's table for one interpreter.

Usage: python3 settrace_table.py OUT_DIR TAG
Reads OUT_DIR/TAG.facts (header, version, settle) and, per scenario NAME,
OUT_DIR/TAG.NAME.facts (key=value lines: failed, pid, attach_s, mode, stop_s, host_rc,
host_problem and note (both repeatable), host_stderr, host_summary) and OUT_DIR/TAG.NAME.rates, the
target's output (bench/targets/tiny_calls.py), one line per slice:
  rate PHASE T_END CALLS SLICE_S CPU_S REF_S REF_RATE CALLS_PER_S
A phase's slices leave out those shorter than MIN_SLICE_S (cut short by a command) and, in
the traced and after phases, those that began less than `settle` seconds after the phase
began.
Full speed: a virtual CPU of the machine this was written on runs 1.7-2x slower for seconds
at a time, with nothing else running in it, and the call loop slows down with it. The
reference loop (sum(range(n)): one C call, which tracing leaves alone) shows when: a slice
ran at full speed when its reference speed is at least FULL_SPEED times the process's top
reference speed (TOP_QUANTILE of all its slices' reference speeds, all three phases).
  calls/s    the median of the phase's full-speed slices' calls/s (wall clock, reference
             loop time left out); with fewer than MIN_FULL full-speed slices, the median of
             all its slices, and the ratios using it get a "?"
  CPU share  the target's process CPU time (every thread) / wall time
ratio = untraced calls/s / traced calls/s (after-removal rows: after / untraced).
"""
import os
import statistics
import sys

SCENARIOS = [  # name, label, kind
    ("all", "all calls", "host"),
    ("calls_returns", "calls+returns", "host"),
    ("exclude_hot", "filter excludes hot", "host"),
    ("lptrace", "lptrace-style hook (baseline)", "baseline"),
    ("empty", "empty sys.settrace hook (baseline)", "baseline"),
]
MIN_SLICE_S = 0.1
FULL_SPEED = 0.85
TOP_QUANTILE = 0.9
MIN_FULL = 3
BUSY = 0.9  # an untraced phase with a lower CPU share did not have a core to itself
W = 36


def read_facts(path):
    facts, multi = {}, {"note": [], "host_problem": []}
    try:
        with open(path) as f:
            for line in f:
                line = line.rstrip("\n")
                if "=" not in line:
                    continue
                key, value = line.split("=", 1)
                if key in multi:
                    multi[key].append(value)
                else:
                    facts[key] = value
    except OSError:
        pass
    return facts, multi


def read_slices(path):
    """{phase: [dict per slice]} in the order seen."""
    phases = {}
    try:
        with open(path) as f:
            for line in f:
                w = line.split()
                if len(w) != 9 or w[0] != "rate":
                    continue
                end, seconds = float(w[2]), float(w[4])
                phases.setdefault(w[1], []).append({
                    "begin": end - seconds, "seconds": seconds, "calls": int(w[3]), "cpu": float(w[5]),
                    "ref": float(w[7]), "rate": float(w[8])})
    except (OSError, ValueError):
        pass
    return phases


class Phase(object):
    def __init__(self, phases, phase, settle):
        self.rate = self.ref = self.cpu_share = None
        self.n = self.n_full = 0
        self.full = False
        self.used = []
        slices = phases.get(phase) or []
        if not slices:
            return
        begin = slices[0]["begin"]
        self.used = [s for s in slices if s["seconds"] >= MIN_SLICE_S and s["begin"] >= begin + settle - 1e-3]
        self.n = len(self.used)
        if self.used:
            self.ref = statistics.median(s["ref"] for s in self.used)
            self.cpu_share = sum(s["cpu"] for s in self.used) / sum(s["seconds"] for s in self.used)

    def summarize(self, top_ref):
        if not self.used:
            return
        full = [s for s in self.used if s["ref"] >= FULL_SPEED * top_ref]
        self.n_full = len(full)
        self.full = len(full) >= MIN_FULL
        self.rate = statistics.median(s["rate"] for s in (full if self.full else self.used))


def top_reference(*phases):
    refs = sorted(s["ref"] for p in phases for s in p.used)
    return refs[int(TOP_QUANTILE * (len(refs) - 1))] if refs else 0.0


def div(a, b):
    return a / b if a is not None and b else None


def mega(rate):
    return "%7.2f M" % (rate / 1e6) if rate is not None else "      n/a"


def times(ratio):
    return "%6.2fx" % ratio if ratio is not None else "    n/a"


def share(phase):
    return "n/a" if phase.cpu_share is None else "%.0f%%" % (100 * phase.cpu_share)


def version_tuple(text):
    try:
        return tuple(int(p) for p in text.split(".")[:2])
    except ValueError:
        return None


def main():
    out_dir, tag = sys.argv[1], sys.argv[2]
    top, _ = read_facts(os.path.join(out_dir, tag + ".facts"))
    lines = ["== %s ==" % top.get("header", "?")]
    if "version" not in top:  # missing interpreter
        print("\n".join(lines))
        return
    version = version_tuple(top["version"])
    new = version is not None and version >= (3, 12)
    settle = float(top.get("settle", "0.5"))

    results = {}
    for name, _label, _kind in SCENARIOS:
        path = os.path.join(out_dir, "%s.%s.facts" % (tag, name))
        facts, multi = read_facts(path)
        if not os.path.exists(path):
            facts["failed"] = "not run (BENCH_SCENARIOS)"
        phases = read_slices(os.path.join(out_dir, "%s.%s.rates" % (tag, name)))
        u, t, a = Phase(phases, "untraced", 0.0), Phase(phases, "traced", settle), Phase(phases, "after", settle)
        top_ref = top_reference(u, t, a)
        for p in (u, t, a):
            p.summarize(top_ref)
        r = {"facts": facts, "multi": multi, "phases": (u, t, a), "top": top_ref, "ratio": None, "after": None}
        if "failed" not in facts:
            r.update(ratio=div(u.rate, t.rate), after=div(a.rate, u.rate))
        results[name] = r

    modes = sorted(set(r["facts"]["mode"] for r in results.values() if r["facts"].get("mode")))
    if modes:
        lines[0] = "== %s; host traces with: %s ==" % (top["header"], ", ".join(modes))
    lines.append("   %-*s %10s %10s %7s %7s   %s" % (W, "scenario", "untraced/s", "traced/s", "ratio",
                                                    "full", "goal"))
    empty = results["empty"]["ratio"]

    def goal_for(name):
        """(goal text, ok: True, False or None for no verdict)"""
        ratio = results[name]["ratio"]
        if name == "all":
            if new:
                return "<= 5x (3.12+)", None if ratio is None else ratio <= 5.0
            return "(none before 3.12)", None
        if name == "exclude_hot":
            if new:
                return "<= 1.2x (3.12+)", None if ratio is None else ratio <= 1.2
            if empty is None:
                return "<= the empty hook's (n/a)", None
            return "<= the empty hook's %.2fx" % empty, None if ratio is None else ratio <= empty
        return "", None

    def steady(*phases):
        return all(p.full for p in phases)

    def verdict(ok, *phases):
        if ok is None:
            return ""
        return ("PASS" if ok else "FAIL") + ("" if steady(*phases) else "?")

    def full(p, q):
        return "%3d/%-3d" % (p.n_full, q.n_full)

    unsteady = []

    for name, label, kind in SCENARIOS:
        r = results[name]
        if "failed" in r["facts"]:
            why = r["facts"]["failed"]
            lines.append("   %-*s %s" % (W, label, why if why.startswith("not run") else "FAILED: " + why))
            continue
        u, t, _a = r["phases"]
        goal, ok = goal_for(name)
        compared = [u, t]
        if name == "exclude_hot" and not new:
            compared.extend(results["empty"]["phases"][:2])
        if not steady(u, t):
            unsteady.append(label)
        problem = "  HOST PROBLEM, see the notes" if r["multi"]["host_problem"] else ""
        lines.append(("   %-*s %s  %s %s %s   %s %s%s" % (W, label, mega(u.rate), mega(t.rate), times(r["ratio"]),
                                                         full(u, t), goal, verdict(ok, *compared), problem)).rstrip())
    lines.append("   %-*s %10s %10s %7s %7s" % (W, "after host stopped", "untraced/s", "after/s", "ratio", "full"))
    for name, label, kind in SCENARIOS:
        r = results[name]
        if kind != "host" or "failed" in r["facts"]:
            continue
        u, _t, a = r["phases"]
        ok = None if r["after"] is None else abs(r["after"] - 1.0) <= 0.05
        if not steady(u, a):
            unsteady.append("after " + label)
        lines.append("   %-*s %s  %s %s %s   1.00 +- 0.05 %s" % (W, "  after " + label, mega(u.rate), mega(a.rate),
                                                                  times(r["after"]), full(u, a), verdict(ok, u, a)))
    if unsteady:
        lines.append("   ? fewer than %d full-speed slices in a phase compared (full column: full-speed slices"
                     % MIN_FULL)
        lines.append("     per phase), so all its slices were used, and the machine's own slowdowns are in the ratio:")
        lines.append("     %s" % ", ".join(unsteady))

    notes, busy = [], []
    for name, label, kind in SCENARIOS:
        r = results[name]
        f = r["facts"]
        bits = []
        if kind == "host" and "attach_s" in f:
            bits.append("attach %s s, stop %s s, exit %s" % (f.get("attach_s", "?"), f.get("stop_s", "?"),
                                                            f.get("host_rc", "?")))
        if "failed" not in f:
            u, t, a = r["phases"]
            bits.append("slices %d/%d/%d, at full speed %d/%d/%d" % (u.n, t.n, a.n, u.n_full, t.n_full, a.n_full))
            bits.append("reference %s M/s (top %.0f)" % ("/".join("n/a" if p.ref is None else "%.0f" % (p.ref / 1e6)
                                                                  for p in (u, t, a)), r["top"] / 1e6))
            bits.append("CPU share %s/%s/%s" % tuple(share(p) for p in (u, t, a)))
            busy.extend((label, p.cpu_share) for p in (u, a) if p.cpu_share is not None and p.cpu_share < BUSY)
        for p in r["multi"]["host_problem"]:
            bits.append("HOST PROBLEM: " + p)
        if f.get("host_summary"):
            bits.append("host: " + f["host_summary"].lstrip("- "))
        if f.get("host_stderr"):
            bits.append("host stderr: " + f["host_stderr"])
        for n in r["multi"]["note"]:
            bits.append(n)
        if bits:
            notes.append("   %s: %s" % (label, "; ".join(bits)))
    if busy:
        lines.append("   WARNING: an untraced phase got as little as %.0f%% of a core (%s): other load on the"
                     % (100 * min(b[1] for b in busy), ", ".join(sorted(set(b[0] for b in busy)))))
        lines.append("   machine; its rates and ratios are unreliable")
    if notes:
        lines.append("   notes (untraced/traced/after; reference = median speed of a loop without Python calls;")
        lines.append("   CPU share = the target's process CPU time / wall time, all threads)")
        lines.extend("  " + n for n in notes)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
