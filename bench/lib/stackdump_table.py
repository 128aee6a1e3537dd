"""Prints bench/stackdump's table for one interpreter.

Usage: python3 stackdump_table.py FACTS_FILE
       python3 stackdump_table.py --across FACTS_FILE...   (host on each interpreter against 3.13)
FACTS_FILE holds key=value lines written by bench/stackdump:
  header, version, note (repeatable), runs, warmup, pause_runs, hyperfine_json,
  pause_idle_ms, idle_seconds, pause_<name>_ms, skip_<name> (reason a measure is missing),
  pause_skip_<name> (reason a heartbeat series is missing).
Command names in the hyperfine JSON: host, gdb, gdb_readnever, pyrasite, remote_unwinder (3.14),
sampling_dump (3.15).
"""
import json
import statistics
import sys

LABELS = {
    "host": "host run stackdump --pid PID",
    "gdb": "bare gdb -nx -batch -p PID (default)",
    "gdb_readnever": "bare gdb -nx --readnever -batch -p PID",
    "pyrasite": "pyrasite PID dump_stacks.py",
    "remote_unwinder": "_remote_debugging.RemoteUnwinder (3.14)",
    "sampling_dump": "python3.15 -m profiling.sampling dump -a",
}
ORDER = ["host", "gdb", "gdb_readnever", "pyrasite"]
PEERS = ["remote_unwinder", "sampling_dump"]
W = 44


def read_facts(path):
    facts, notes = {}, []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if "=" not in line:
                continue
            key, value = line.split("=", 1)
            if key == "note":
                notes.append(value)
            else:
                facts[key] = value
    return facts, notes


def read_times(path):
    times = {}
    if not path:
        return times
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError):
        return times
    for result in data.get("results", []):
        runs = result.get("times") or []
        if runs:
            times[result["command"]] = (statistics.median(runs), min(runs), max(runs), len(runs))
    return times


def verdict(ok):
    return "PASS" if ok else "FAIL"


def main():
    facts, notes = read_facts(sys.argv[1])
    times = read_times(facts.get("hyperfine_json"))
    for name in list(times):
        if "skip_" + name in facts:  # e.g. pyrasite runs that did not all dump: not a dump time
            del times[name]
    out = []
    out.append("== %s ==" % facts.get("header", "?"))
    for note in notes:
        out.append("   %s" % note)
    if "runs" not in facts:  # interpreter missing or target did not start
        print("\n".join(out))
        return
    out.append("   wall time (%s runs after %s warm-up, hyperfine)   median      min      max"
               % (facts.get("runs", "?"), facts.get("warmup", "?")))
    for name in ORDER + [p for p in PEERS if p in times or "skip_" + p in facts]:
        label = LABELS[name]
        if name in times:
            med, lo, hi, _n = times[name]
            out.append("   %-*s %8.3f s %8.3f %8.3f" % (W, label, med, lo, hi))
        else:
            out.append("   %-*s  skipped: %s" % (W, label, facts.get("skip_" + name, "no figure")))

    pause_runs = facts.get("pause_runs", "?")
    out.append("   heartbeat: longest gap between two ~1 ms ticks")
    idle = facts.get("pause_idle_ms")
    if idle:
        out.append("   %-*s %8.1f ms" % (W, "idle, %s s, no tool attached" % facts.get("idle_seconds", "?"),
                                         float(idle)))
    pauses = {}
    for name in ORDER:
        value = facts.get("pause_%s_ms" % name)
        label = "during %sx %s" % (pause_runs, LABELS[name].replace(" PID", ""))
        if value:
            pauses[name] = float(value)
            out.append("   %-*s %8.1f ms" % (W, label, pauses[name]))
        else:
            why = facts.get("pause_skip_" + name, "see the wall time line above")
            out.append("   %-*s  skipped: %s" % (W, label, why))

    out.append("   goals")

    def ratio_line(label, num, den, goal, missing):
        if num is None or den is None:
            why = facts.get("skip_" + missing) if den is None else None
            why = why or facts.get("skip_host") or "a figure is missing, see above"
            out.append("   %-*s      n/a   goal <= %-4s SKIPPED: %s" % (W, label, goal, why))
            return
        r = num / den
        out.append("   %-*s %8.2f   goal <= %-4s %s" % (W, label, r, goal, verdict(r <= goal)))

    med = {k: v[0] for k, v in times.items()}
    host = med.get("host")
    ratio_line("host / pyrasite (wall, medians)", host, med.get("pyrasite"), 0.5, "pyrasite")
    ratio_line("host / bare gdb attach, default", host, med.get("gdb"), 1.2, "gdb")
    ratio_line("host / bare gdb attach, --readnever", host, med.get("gdb_readnever"), 1.2, "gdb_readnever")

    def pause_line(label, attach_name):
        pause, attach = pauses.get("host"), med.get(attach_name)
        if pause is None or attach is None:
            out.append("   %-*s      n/a   goal: pause <= attach (a figure is missing)" % (W, label))
            return
        attach_ms = attach * 1000.0
        out.append("   %-*s %5.0f ms vs %5.0f ms   goal: pause <= attach   %s"
                   % (W, label, pause, attach_ms, verdict(pause <= attach_ms)))

    pause_line("host max pause vs bare attach, default", "gdb")
    pause_line("host max pause vs bare attach, --readnever", "gdb_readnever")
    if "paired_a_ms" in facts:
        pairs = facts.get("paired_runs", "?")
        for kind, key in (("wall", "paired_%s_ms"), ("CPU", "paired_%s_cpu_ms")):
            a, b = float(facts[key % "a"]), float(facts[key % "b"])
            out.append("   %-*s %8.2f   goal 0.95 to 1.05  %s  (%.1f vs %.1f ms, %s pairs)"
                       % (W, "host / BENCH_BASELINE_HOST (%s)" % kind, a / b, verdict(0.95 <= a / b <= 1.05), a, b, pairs))
    for peer in PEERS:
        if host is not None and peer in med:
            out.append("   %-*s %8.2f   (for scale: a reader from outside, no code run in the target)"
                       % (W, "host / " + LABELS[peer], host / med[peer]))
    print("\n".join(out))


def across(paths):
    """host's median on each interpreter, and on 3.14 and 3.15 against 3.13 (goal: no slower)."""
    rows = []
    for path in paths:
        facts, _notes = read_facts(path)
        times = read_times(facts.get("hyperfine_json"))
        if "host" in times:
            rows.append((facts.get("version", "?"), facts.get("header", "?"), times["host"][0]))
    print("== host run stackdump across interpreters (medians of this run) ==")
    for version, header, median in rows:
        print("   %-*s %8.3f s" % (W, header.split(":")[0] + " " + version, median))
    base = [m for v, _h, m in rows if v.startswith("3.13.")]
    for minor in ("3.14.", "3.15."):
        for version, _header, median in rows:
            if version.startswith(minor) and base:
                r = median / base[0]
                print("   %-*s %8.2f   goal <= 1.0  %s" % (W, "host on %s / host on 3.13" % version, r, verdict(r <= 1.0)))


if __name__ == "__main__" and sys.argv[1:2] == ["--across"]:
    across(sys.argv[2:])
    sys.exit(0)


if __name__ == "__main__":
    main()
