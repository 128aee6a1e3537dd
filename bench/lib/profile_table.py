"""Prints bench/profile's tables (markdown), one part at a time.

Usage: python3 profile_table.py PART DIR      PART: throughput, overhead or scale; DIR: BENCH_OUT/PART

throughput: DIR/facts (rate, seconds, rounds, target.TAG, austin) and per run DIR/TAG.TOOL.ROUND.*:
  .time ("wall user system", /usr/bin/time), .rc, .out, .err, and the tool's output: .json (host
  --format json: samples, thread_stacks_read, failed {reason: count}, seconds), .austin (austin's
  samples, one "P<pid>;T...;frames... <µs>" line per thread-stack; "# duration: <µs>"; its stderr
  says "Error rate : <failed>/<all>"), .collapsed (Tachyon's, "stack count": the counts add up to
  its thread-stacks; its stdout says "Captured N samples in S seconds" and "Error rate: <percent>").
  thread-stacks/s = thread-stacks / the tool's own sampling time; cores = (user + system) / wall of
  the whole process, start-up included. Medians over the rounds.
overhead: DIR/facts (seconds, settle, early), DIR/rates (bench/targets/tiny_calls.py's output, one line per
  0.25 s slice: rate PHASE T_END CALLS SLICE_S CPU_S REF_S REF_RATE CALLS_PER_S), DIR/pN.setting
  (RATE or RATE:blocking) and DIR/pN.json (host's profile of phase pN). Phases u0, eN and pN, uN...:
  pN is compared with the mean of u(N-1) and uN; eN, the first `early` seconds of sampling, likewise,
  all its slices. In the untraced phases the slices that began in its first `settle` seconds are
  left out; in them and in pN, so are those that ran while the machine itself was slow: a
  virtual CPU here runs up to 2x slower for seconds at a time with nothing else running on it, and
  the reference loop (sum(range(n)), no Python call, timed every 4 ms; the median over a slice is
  not moved by a short pause of the threads) shows it; a slice ran at full speed when its
  reference speed is at least FULL_SPEED x the top one (TOP_QUANTILE of the three phases' slices).
  A phase's rate is the median calls/s of those slices; with fewer than MIN_FULL of them, of all
  its slices, and the ratio gets a "?".
scale: DIR/facts (rate, seconds), DIR/NAME.target ("threads depth"), DIR/NAME.MODE.startup.json
  (hyperfine: mean user and system of `--duration 0.001` runs), DIR/NAME.MODE.I.{time,json} (the
  long runs) and DIR/NAME.MODE.short.I.{time,json} (1 s runs). Per 1000 samples: (user + system of a
  long run - the start-up's) / its samples; steady: (long run's CPU - 1 s run's CPU) / (long run's
  samples - 1 s run's), and per 1000 frames read (thread-stacks x depth); medians over the runs.
syscalls: DIR/NAME.MODE.strace and .startup.strace (strace -c tables), with .json and .startup.json:
  (calls of the run - calls of the --duration 0.001 run) / (samples of the run - its samples).
"""
import glob
import json
import os
import re
import statistics
import sys

FULL_SPEED = 0.85
TOP_QUANTILE = 0.9
MIN_FULL = 3
MIN_SLICE_S = 0.1


def read_facts(path):
    facts = {}
    try:
        with open(path) as f:
            for line in f:
                if "=" in line:
                    k, v = line.rstrip("\n").split("=", 1)
                    facts[k] = v
    except OSError:
        pass
    return facts


def read_text(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def read_time(path):
    """(wall, user, system) seconds from /usr/bin/time -f '%e %U %S', or None."""
    for line in reversed(read_text(path).splitlines()):
        w = line.split()
        if len(w) == 3:
            try:
                return tuple(float(x) for x in w)
            except ValueError:
                pass
    return None


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(value, spec, none="n/a"):
    return none if value is None else format(value, spec)


def ms(value, spec):
    return "n/a" if value is None else format(value, spec) + " ms"


ANSI = re.compile(r"\x1b\[[0-9;]*m")


# ---------------------------------------------------------------- throughput
TOOLS = [  # key, label
    ("host", "host"),
    ("host_blocking", "host --blocking"),
    ("austin", "austin (`-i 50`)"),
    ("tachyon", "Tachyon (3.15 `profiling.sampling attach -a`)"),
    ("tachyon_blocking", "Tachyon --blocking"),
]


def one_run(base, tool):
    """dict: stacks, samples, failed (count), attempts, seconds, cpu, wall, user, system, error."""
    r = {"error": None}
    rc = read_text(base + ".rc").strip()
    t = read_time(base + ".time")
    if t:
        r["wall"], r["user"], r["system"] = t
        r["cpu"] = t[1] + t[2]
    if rc != "0":
        r["error"] = "exit %s: %s" % (rc or "?", " ".join(read_text(base + ".err").split())[:200])
        return r
    if tool.startswith("host"):
        j = read_json(base + ".json")
        if not j:
            r["error"] = "no JSON profile"
            return r
        failed = sum(j.get("failed", {}).values())
        r.update(stacks=j["thread_stacks_read"], samples=j["samples"], failed=failed,
                 attempts=j["thread_stacks_read"] + failed, seconds=j["seconds"])
    elif tool == "austin":
        stacks, duration = 0, None
        try:
            with open(base + ".austin", errors="replace") as f:
                for line in f:
                    if line.startswith("P"):
                        stacks += 1
                    elif line.startswith("# duration:"):
                        duration = int(line.split(":")[1]) / 1e6
        except OSError:
            pass
        err = ANSI.sub("", read_text(base + ".err"))
        m = re.search(r"Error rate\s*:\s*(\d+)\s*/\s*(\d+)", err)
        failed, attempts = (int(m.group(1)), int(m.group(2))) if m else (None, None)
        r.update(stacks=stacks, samples=None, failed=failed, attempts=attempts, seconds=duration)
    else:  # tachyon
        out = read_text(base + ".out")
        stacks = 0
        for line in read_text(base + ".collapsed").splitlines():
            w = line.rsplit(" ", 1)
            if len(w) == 2 and w[1].isdigit():
                stacks += int(w[1])
        m = re.search(r"Captured ([\d,]+) samples? in ([\d.]+) seconds", out)
        e = re.search(r"Error rate: ([\d.]+)", out)
        samples = int(m.group(1).replace(",", "")) if m else None
        seconds = float(m.group(2)) if m else None
        failed = round(float(e.group(1)) / 100 * samples) if e and samples else None
        r.update(stacks=stacks, samples=samples, failed=failed,
                 attempts=(samples if samples is not None else None), seconds=seconds)
        if samples and stacks:
            r["per_sample"] = stacks / samples
            r["failed_pct"] = float(e.group(1)) if e else None  # of samples: a failed sample is all its threads
    if r.get("seconds"):
        r["stacks_per_s"] = r["stacks"] / r["seconds"]
        if r.get("samples") is not None:
            r["samples_per_s"] = r["samples"] / r["seconds"]
    if "failed_pct" not in r and r.get("failed") is not None and r.get("attempts"):
        r["failed_pct"] = 100.0 * r["failed"] / r["attempts"]
    if r.get("wall"):
        r["cores"] = r["cpu"] / r["wall"]
    m = read_text(base + ".machine").split()
    if len(m) == 4:
        busy, total = int(m[2]) - int(m[0]), int(m[3]) - int(m[1])
        if total > 0:
            r["machine"] = busy / total * (os.cpu_count() or 1)
    return r


def throughput(d):
    facts = read_facts(os.path.join(d, "facts"))
    rate, seconds = facts.get("rate", "?"), facts.get("seconds", "?")
    print("Throughput: 9-thread target, every tool asked for %s Hz for %s s; %s rounds, interleaved, medians"
          % (rate, seconds, facts.get("rounds", "?")))
    print()
    print("| target | tool | thread-stacks/s | samples/s | failed | CPU user + sys | cores | machine busy | goal (>= 20,000/s, < 1%, <= 1 core) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    errors = []
    for tag in ("py", "sid"):
        label = facts.get("target." + tag)
        if not label:
            continue
        for tool, tool_label in TOOLS:
            if tool == "austin" and facts.get("austin"):
                tool_label = "%s (`-i %d`)" % (facts["austin"], 1000000 // int(rate)) if rate.isdigit() else facts["austin"]
            bases = sorted(p[:-3] for p in glob.glob(os.path.join(d, "%s.%s.*.rc" % (tag, tool))))
            if not bases:
                continue
            runs = [one_run(b, tool) for b in bases]
            for b, r in zip(bases, runs):
                if r["error"]:
                    errors.append("%s: %s" % (os.path.basename(b), r["error"]))
            ok = [r for r in runs if not r["error"]]
            if not ok:
                print("| %s | %s | failed | | | | | | |" % (label, tool_label))
                continue
            sps, smp = med(r.get("stacks_per_s") for r in ok), med(r.get("samples_per_s") for r in ok)
            fp, user, sys_ = med(r.get("failed_pct") for r in ok), med(r.get("user") for r in ok), med(r.get("system") for r in ok)
            cores, machine = med(r.get("cores") for r in ok), med(r.get("machine") for r in ok)
            verdict = ""
            if tool.startswith("host") and None not in (sps, fp, cores):
                verdict = "PASS" if sps >= 20000 and fp < 1.0 and cores <= 1.0 else "FAIL"
                misses = [w for w, bad in (("rate", sps < 20000), ("failed", fp >= 1.0), ("CPU", cores > 1.0)) if bad]
                if misses:
                    verdict += " (%s)" % ", ".join(misses)
            print("| %s | %s | %s | %s | %s | %s + %s s | %s | %s | %s |" % (
                label, tool_label, fmt(sps, ",.0f"), fmt(smp, ",.0f", "—"), fmt(fp, ".2f") + "%" if fp is not None else "n/a",
                fmt(user, ".2f"), fmt(sys_, ".2f"), fmt(cores, ".2f"), fmt(machine, ".2f"), verdict))
    print()
    print("samples/s: rounds of every thread (austin does not count them); failed: of thread-stacks (host,"
          " austin) or of samples (Tachyon); CPU: the whole process, start-up included; cores: CPU / wall;"
          " machine busy: cores in use on the whole machine during the run (/proc/stat; the tool and the"
          " target included, of %d)." % (os.cpu_count() or 1))
    for e in errors:
        print("- failed run %s" % e)


# ---------------------------------------------------------------- overhead
def read_slices(path):
    phases = {}
    for line in read_text(path).splitlines():
        w = line.split()
        if len(w) != 9 or w[0] != "rate":
            continue
        try:
            end, secs = float(w[2]), float(w[4])
            calls, cpu, ref_s = int(w[3]), float(w[5]), float(w[6])
            phases.setdefault(w[1], []).append({"begin": end - secs, "seconds": secs, "ref": float(w[7]),
                                                "rate": float(w[8]), "cpu": cpu, "share": cpu / secs,
                                                "cpu_rate": calls / max(cpu - ref_s, 1e-6)})
        except ValueError:
            pass
    return phases


def usable(slices, settle):
    if not slices:
        return []
    begin = slices[0]["begin"]
    return [s for s in slices if s["seconds"] >= MIN_SLICE_S and s["begin"] >= begin + settle - 1e-3]


def phase_rate(slices, top, what="rate"):
    full = [s for s in slices if s["ref"] >= FULL_SPEED * top]
    if len(full) >= MIN_FULL:
        return statistics.median(s[what] for s in full), True, len(full)
    if slices:
        return statistics.median(s[what] for s in slices), False, len(full)
    return None, False, 0


def mean_of(values):
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def overhead(d):
    facts = read_facts(os.path.join(d, "facts"))
    settle = float(facts.get("settle", "0.5"))
    phases = read_slices(os.path.join(d, "rates"))
    per_setting, order, unsteady, achieved, blocked = {}, [], 0, {}, {}
    n = 1
    while ("p%d" % n) in phases or os.path.exists(os.path.join(d, "p%d.setting" % n)):
        setting = read_text(os.path.join(d, "p%d.setting" % n)).strip()
        if setting not in per_setting:
            per_setting[setting] = []
            order.append(setting)
        j = read_json(os.path.join(d, "p%d.json" % n))
        if j:
            achieved.setdefault(setting, []).append(j.get("rate"))
        u0, u1 = (usable(phases.get(name), settle) for name in ("u%d" % (n - 1), "u%d" % n))
        p, e = usable(phases.get("p%d" % n), 0.0), usable(phases.get("e%d" % n), 0.0)
        refs = sorted(s["ref"] for s in u0 + p + u1)
        if refs and p and (u0 or u1):
            top = refs[int(TOP_QUANTILE * (len(refs) - 1))]
            (ru0, f0, _), (rp, fp, _), (ru1, f1, _) = (phase_rate(x, top) for x in (u0, p, u1))
            ratio = rp / mean_of([ru0, ru1])
            cu0, cp, cu1 = (phase_rate(x, top, "cpu_rate")[0] for x in (u0, p, u1))
            cpu_ratio = cp / mean_of([cu0, cu1])
            shares = [phase_rate(x, top, "share")[0] for x in (u0, p, u1)]
            steady = fp and (f0 or not u0) and (f1 or not u1)
            unsteady += not steady
            # the early seconds: every slice (the slowdown there is the point), against the same untraced rate
            early = statistics.median(s["rate"] for s in e) / mean_of([ru0, ru1]) if e else None
            early_share = statistics.median(s["share"] for s in e) if e else None
            per_setting[setting].append((ratio, steady, cpu_ratio, mean_of([shares[0], shares[2]]), shares[1],
                                         early, early_share))
        n += 1
    early_s = facts.get("early", "?")
    print("Target overhead: %s calling a tiny function in a loop; %s s phases, %s rounds; ratio = calls/s"
          " profiled / mean of the untraced phases either side; the first %s s of sampling apart (early)" % (
              facts.get("target", "?"), facts.get("seconds", "?"), facts.get("rounds", "?"), early_s))
    print()
    print("| host run profile | rate reached | ratio, median | min – max | overhead | goal | target's CPU share, untraced → profiled | ratio per CPU-second | first %s s: ratio (CPU share) |" % early_s)
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    reached = {"nonblocking": None, "blocking": None}

    def key(s):
        return ("blocking" in s, int(s.split(":")[0]))

    for setting in sorted(order, key=key):
        values = per_setting[setting]
        hz, mode = setting.split(":")[0], "--blocking" if setting.endswith(":blocking") else "nonblocking"
        if not values:
            print("| %s Hz %s | | no phase measured | | | | | | |" % (hz, mode))
            continue
        ratios = [v[0] for v in values]
        m = statistics.median(ratios)
        q = "" if all(v[1] for v in values) else "?"
        goal = ""
        if setting == "100":
            goal = ">= 0.99x: %s" % ("PASS" if m >= 0.99 else "FAIL")
        elif setting == "100:blocking":
            goal = ">= 0.97x: %s" % ("PASS" if m >= 0.97 else "FAIL")
        kind = "blocking" if mode == "--blocking" else "nonblocking"
        if m < 0.95 and (reached[kind] is None or int(hz) < reached[kind]):
            reached[kind] = int(hz)
        print("| %s Hz %s | %s Hz | %.3fx%s | %.3f – %.3f | %+.1f%% | %s | %s%% → %s%% | %sx | %sx (%s%%) |" % (
            hz, mode, fmt(med(achieved.get(setting, [])), ",.0f"), m, q, min(ratios), max(ratios), (1 - m) * 100, goal,
            fmt(med(100 * v[3] for v in values if v[3] is not None), ".0f"),
            fmt(med(100 * v[4] for v in values if v[4] is not None), ".0f"), fmt(med(v[2] for v in values), ".3f"),
            fmt(med(v[5] for v in values), ".2f"), fmt(med(None if v[6] is None else 100 * v[6] for v in values), ".0f")))
    print()
    print("ratio: calls/s (wall clock) profiled / untraced, what the goals are about; overhead = 1 - ratio. CPU"
          " share: the target's CPU time / wall time (below 100%: it waited for a core, or its threads were"
          " stopped); ratio per CPU-second: calls per second of the target's own CPU time, profiled / untraced"
          " (what the sampling costs the target while it runs, a wait for a core or a stop left out); first"
          " seconds: every slice of them, against the same untraced rate.")
    print()
    for kind in ("nonblocking", "blocking"):
        rates = sorted(int(s.split(":")[0]) for s in order if ("blocking" in s) == (kind == "blocking") and per_setting[s])
        if not rates:
            continue
        if reached[kind] is None:
            print("- %s: the overhead stays under 5%% up to %d Hz (the highest rate measured)." % (kind, rates[-1]))
        else:
            below = [r for r in rates if r < reached[kind]]
            if below:
                print("- %s: the overhead reaches 5%% between %d Hz and %d Hz." % (kind, below[-1], reached[kind]))
            else:
                print("- %s: the overhead is over 5%% already at %d Hz, the lowest rate measured." % (kind, reached[kind]))
    if unsteady:
        print("- ? %d profiled phase(s) or their neighbours had fewer than %d slices at full speed: all their slices were"
              " used, so the machine's own slowdowns are in those ratios." % (unsteady, MIN_FULL))


# ---------------------------------------------------------------- scale
SCALE = [("t1", "threads"), ("t9", "threads"), ("t50", "threads"), ("t200", "threads"),
         ("d10", "depth"), ("d100", "depth"), ("d500", "depth")]


def scale_runs(pattern):
    rows = []
    for tp in sorted(glob.glob(pattern)):
        tm, j = read_time(tp), read_json(tp[:-5] + ".json")
        if not tm or not j or not j.get("samples"):
            continue
        failed = sum(j.get("failed", {}).values())
        rows.append({"user": tm[1], "system": tm[2], "cpu": tm[1] + tm[2], "samples": j["samples"],
                     "stacks": j["thread_stacks_read"], "rate": j["rate"],
                     "failed": 100.0 * failed / max(1, failed + j["thread_stacks_read"])})
    return rows


def scale(d):
    facts = read_facts(os.path.join(d, "facts"))
    modes = facts.get("modes", "nonblocking").split()
    secs = facts.get("seconds", "?")
    print("Cost that scales: host at %s Hz for %s s on %s (each thread recursing to its depth, then"
          " 1 ms busy, max(4, 2 x threads) ms asleep); medians of %s runs" % (
              facts.get("rate", "?"), secs, facts.get("target", "?"), facts.get("runs", "?")))
    print()
    print("| threads × depth | mode | rate reached | thread-stacks per sample | failed | start-up CPU |"
          " CPU of a %s s run (user + sys) | per 1000 samples, start-up off | per 1000 samples, steady |"
          " steady, per 1000 frames |" % secs)
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    steady_of = {}
    for name, _series in SCALE:
        t = read_text(os.path.join(d, name + ".target")).split()
        if len(t) != 2:
            continue
        threads, depth = int(t[0]), int(t[1])
        for mode in modes:
            base = os.path.join(d, "%s.%s" % (name, mode))
            sj = read_json(base + ".startup.json")
            su = ss = None
            if sj and sj.get("results"):
                su, ss = sj["results"][0].get("user"), sj["results"][0].get("system")
            rows, short = scale_runs(base + ".[0-9]*.time"), scale_runs(base + ".short.[0-9]*.time")
            if not rows:
                print("| %d × %d | %s | failed | | | | | | | |" % (threads, depth, mode))
                continue
            user, system = med(r["user"] for r in rows), med(r["system"] for r in rows)
            samples, stacks = med(r["samples"] for r in rows), med(r["stacks"] for r in rows)
            net = user + system - (su + ss) if su is not None and ss is not None else None
            ps = net / samples * 1e6 if net is not None else None  # ms per 1000 samples
            steady = pf = None
            if short:
                dc = user + system - med(r["cpu"] for r in short)
                dn = samples - med(r["samples"] for r in short)
                dst = stacks - med(r["stacks"] for r in short)
                if dn > 0:
                    steady = dc / dn * 1e6
                    pf = dc / (dst * depth) * 1e6
            steady_of[(name, mode)] = steady
            print("| %d × %d | %s | %s Hz | %.1f | %.2f%% | %s s | %.2f s (%.2f + %.2f) | %s | %s | %s |" % (
                threads, depth, mode, fmt(med(r["rate"] for r in rows), ",.0f"), stacks / samples,
                med(r["failed"] for r in rows), fmt(None if su is None else su + ss, ".2f"),
                user + system, user, system, ms(ps, ".1f"), ms(steady, ".1f"), ms(pf, ".3f")))
    print()
    print("start-up: hyperfine's mean user + system of `--duration 0.001`; steady: (CPU of the %s s run - CPU of"
          " a 1 s run) / (their difference in samples); frames = thread-stacks x depth." % secs)
    for mode in modes:
        a, b, c = (steady_of.get((n, mode)) for n in ("d10", "d100", "d500"))
        if a and b and c:
            print("- %s, steady cost per sample: depth 100 / depth 10 %.2fx, depth 500 / depth 10 %.2fx"
                  " (frames read: 10x, 50x)" % (mode, b / a, c / a))
        a, b = steady_of.get(("t1", mode)), steady_of.get(("t200", mode))
        if a and b:
            print("- %s, steady cost per sample: 200 threads / 1 thread %.1fx (thread-stacks read: 200x)" % (mode, b / a))


# ---------------------------------------------------------------- syscalls
def read_strace(path):
    """{syscall: calls} from strace -c's table."""
    calls = {}
    for line in read_text(path).splitlines():
        w = line.split()
        if len(w) >= 5 and w[-1] != "total" and re.match(r"^[\d.]+$", w[0]):
            try:
                calls[w[-1]] = int(w[3])
            except ValueError:
                pass
    return calls


def syscalls(d):
    facts = read_facts(os.path.join(d, "facts"))
    print("System calls per sample: host at %s Hz for %s s under strace -f -c on %s, minus a --duration 0.001"
          " run's (start-up); the five most frequent" % (facts.get("rate", "?"), facts.get("seconds", "?"), facts.get("target", "?")))
    print()
    print("| threads × depth | mode | samples | thread-stacks per sample | system calls per sample | most frequent, per sample |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name in ("t1", "t9", "t200", "d100", "d500"):
        t = read_text(os.path.join(d, name + ".target")).split()
        if len(t) != 2:
            continue
        for mode in ("nonblocking", "blocking"):
            base = os.path.join(d, "%s.%s" % (name, mode))
            run, start = read_strace(base + ".strace"), read_strace(base + ".startup.strace")
            j, js = read_json(base + ".json"), read_json(base + ".startup.json")
            if not run or not j or not j.get("samples"):
                print("| %s × %s | %s | failed | | | |" % (t[0], t[1], mode))
                continue
            n = j["samples"] - (js or {}).get("samples", 0)
            if n <= 0:
                continue
            per = {k: (v - start.get(k, 0)) / n for k, v in run.items()}
            top = sorted(((v, k) for k, v in per.items() if v > 0), reverse=True)[:5]
            print("| %s × %s | %s | %d | %.1f | %.1f | %s |" % (
                t[0], t[1], mode, j["samples"], j["thread_stacks_read"] / j["samples"], sum(v for v in per.values() if v > 0),
                ", ".join("%s %.1f" % (k, v) for v, k in top)))


def main():
    part, d = sys.argv[1], sys.argv[2]
    {"throughput": throughput, "overhead": overhead, "scale": scale, "syscalls": syscalls}[part](d)


if __name__ == "__main__":
    main()
