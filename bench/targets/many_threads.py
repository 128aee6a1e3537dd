"""Benchmark target for bench/profile: N threads, each with a Python stack D frames deep, busy part
of the time.

Every thread (the main thread is one of them) calls descend() recursively until its Python stack
is --depth frames deep in all (threading's own frames and <module> counted), waits there until
every thread has arrived, then loops: runs a Python loop for --busy-ms, sleeps --sleep-ms, and so
on, so a sampler finds each thread sometimes running Python code (holding the GIL or waiting for
it) and sometimes asleep in a system call, always at the same depth. The default sleep,
max(4, 2 x N) ms, keeps the whole process to about half a core whatever N is.

Usage: python many_threads.py --threads N --depth D --ready FILE [--busy-ms B] [--sleep-ms S]
Writes "ready <pid>" to --ready (via a temporary file and a rename) once every thread is at its
depth, just before they start their loops. Runs until killed (SIGTERM's default action ends it).
Python 3.6+.
"""
import argparse
import os
import sys
import threading
import time


def work(busy_s, sleep_s):
    clock = time.perf_counter
    x = 0
    while True:
        end = clock() + busy_s
        while clock() < end:
            x += 1
        time.sleep(sleep_s)


def descend(left, at_bottom):
    if left > 0:
        return descend(left - 1, at_bottom)
    return at_bottom()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--depth", type=int, default=10)
    ap.add_argument("--busy-ms", type=float, default=1.0)
    ap.add_argument("--sleep-ms", type=float, default=None)
    ap.add_argument("--ready", required=True)
    args = ap.parse_args()
    if args.threads < 1 or args.depth < 8:
        ap.error("--threads must be at least 1 and --depth at least 8")
    sys.setrecursionlimit(max(1000, args.depth + 200))
    sleep_ms = args.sleep_ms if args.sleep_ms is not None else max(4.0, 2.0 * args.threads)
    busy_s, sleep_s = args.busy_ms / 1000.0, sleep_ms / 1000.0

    arrived = threading.Semaphore(0)
    go = threading.Event()

    def bottom():
        arrived.release()
        go.wait()
        work(busy_s, sleep_s)

    def thread_main():  # Thread._bootstrap, _bootstrap_inner, run, thread_main, descend..., bottom, work
        descend(args.depth - 7, bottom)

    for i in range(args.threads - 1):
        t = threading.Thread(target=thread_main, name="worker-%d" % (i + 1))
        t.daemon = True
        t.start()

    def main_bottom():
        for _ in range(args.threads - 1):
            arrived.acquire()
        with open(args.ready + ".tmp", "w") as f:
            f.write("ready %d\n" % os.getpid())
        os.replace(args.ready + ".tmp", args.ready)
        go.set()
        work(busy_s, sleep_s)

    descend(args.depth - 5, main_bottom)  # <module>, main, descend..., main_bottom, work


if __name__ == "__main__":
    main()
