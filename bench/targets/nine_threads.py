"""Benchmark target: a CPython process with 9 threads (main + 8) for bench/stackdump.

Threads: main (sleeps in a loop, holds `held_lock`), heartbeat, two sleepers, one thread
blocked on an empty queue, one blocked on `held_lock`, one waiting on an Event that is
never set, and two that allocate and free objects in a loop.

The heartbeat thread ticks every ~1 ms and keeps the longest gap it saw between two
ticks. On SIGUSR1 the main thread writes that gap (milliseconds, one line:
"max_gap_ms=<float> ticks=<int>") to the --report file (via a temporary file and a
rename, so a reader never sees half a line), then resets it.

Usage: python3 nine_threads.py --ready FILE --report FILE
Writes "ready <pid>" to --ready once every thread runs. Stops on SIGTERM.
"""
import argparse
import os
import queue
import signal
import sys
import threading
import time

TICK_S = 0.001


class Heartbeat:
    def __init__(self):
        self._lock = threading.Lock()
        self._max_gap = 0.0
        self._ticks = 0

    def run(self):
        last = time.monotonic()
        while True:
            time.sleep(TICK_S)
            now = time.monotonic()
            gap = now - last
            last = now
            with self._lock:
                self._ticks += 1
                if gap > self._max_gap:
                    self._max_gap = gap

    def take_and_reset(self):
        with self._lock:
            gap, ticks = self._max_gap, self._ticks
            self._max_gap, self._ticks = 0.0, 0
        return gap, ticks


def sleeper_long():
    while True:
        time.sleep(3600)


def sleeper_nested(depth=3):
    if depth:
        return sleeper_nested(depth - 1)
    while True:
        time.sleep(0.25)


def queue_waiter(q):
    while True:
        q.get()  # nothing is ever put: blocked for good


def lock_waiter(lock):
    with lock:  # main holds it for the life of the process
        pass


def event_waiter(event):
    event.wait()


def allocator(seed):
    # Builds and drops short-lived containers in bursts, with a short sleep between
    # bursts so the two allocators together use well under one of the two cores.
    n = seed
    while True:
        junk = [{"i": i, "s": str(i * n), "t": (i, n)} for i in range(2000)]
        n = (n + len(junk)) % 1000003
        del junk
        time.sleep(0.002)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ready", required=True)
    ap.add_argument("--report", required=True)
    args = ap.parse_args()

    heartbeat = Heartbeat()
    held_lock = threading.Lock()
    held_lock.acquire()
    never = threading.Event()
    empty = queue.Queue()

    def report(_signum, _frame):
        gap, ticks = heartbeat.take_and_reset()
        tmp = args.report + ".tmp"
        with open(tmp, "w") as f:
            f.write("max_gap_ms=%.3f ticks=%d\n" % (gap * 1000.0, ticks))
        os.replace(tmp, args.report)

    stopping = threading.Event()

    def stop(_signum, _frame):
        stopping.set()

    signal.signal(signal.SIGUSR1, report)
    signal.signal(signal.SIGTERM, stop)  # SIGINT keeps its inherited action (ignored when bench/stackdump starts us)

    threads = [
        threading.Thread(target=heartbeat.run, name="heartbeat"),
        threading.Thread(target=sleeper_long, name="sleeper-long"),
        threading.Thread(target=sleeper_nested, name="sleeper-nested"),
        threading.Thread(target=queue_waiter, args=(empty,), name="queue-waiter"),
        threading.Thread(target=lock_waiter, args=(held_lock,), name="lock-waiter"),
        threading.Thread(target=event_waiter, args=(never,), name="event-waiter"),
        threading.Thread(target=allocator, args=(1,), name="allocator-1"),
        threading.Thread(target=allocator, args=(2,), name="allocator-2"),
    ]
    for t in threads:
        t.daemon = True
        t.start()

    with open(args.ready + ".tmp", "w") as f:
        f.write("ready %d\n" % os.getpid())
    os.replace(args.ready + ".tmp", args.ready)

    while not stopping.is_set():
        time.sleep(0.2)
    sys.exit(0)


if __name__ == "__main__":
    main()
