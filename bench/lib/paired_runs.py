"""Times two commands in pairs, alternating which goes first, for a change that must cost no time.

Usage: python3 paired_runs.py RUNS COMMAND_A -- COMMAND_B
Prints key=value lines for bench/stackdump's facts: paired_a_ms, paired_b_ms (median wall times),
paired_a_cpu_ms, paired_b_cpu_ms (median user+system CPU of the child), paired_runs.

Why not hyperfine for this: it runs every run of one command, then every run of the other, so a
drift of the machine over the minute between them (another process, the CPU's clock) reads as a
difference between the commands. Alternating in pairs cancels such drift; the CPU time of each run
is less noisy still than its wall time.
"""
import os
import statistics
import subprocess
import sys
import time


def run_once(command):
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    if status != 0:
        raise SystemExit("paired_runs: %s failed (wait status %d)" % (" ".join(command), status))
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime


def main(argv):
    runs = int(argv[1])
    split = argv.index("--")
    commands = {"a": argv[2:split], "b": argv[split + 1:]}
    wall, cpu = {"a": [], "b": []}, {"a": [], "b": []}
    for i in range(runs):
        for name in ("a", "b") if i % 2 == 0 else ("b", "a"):
            w, c = run_once(commands[name])
            wall[name].append(w)
            cpu[name].append(c)
    for name in ("a", "b"):
        print("paired_%s_ms=%.2f" % (name, statistics.median(wall[name]) * 1000))
        print("paired_%s_cpu_ms=%.2f" % (name, statistics.median(cpu[name]) * 1000))
    print("paired_runs=%d" % runs)


if __name__ == "__main__":
    main(sys.argv)
