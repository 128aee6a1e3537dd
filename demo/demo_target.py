"""A small multi-threaded service for `host run ... --demo`: it idles until its stdin closes."""
import sys
import threading
import time

try:
    import queue
except ImportError:  # Python 2
    import Queue as queue

jobs = queue.Queue()


def consume_jobs():
    while True:
        job = jobs.get()
        if job is None:
            return


def compute_forever():
    def fib(n):
        return n if n < 2 else fib(n - 1) + fib(n - 2)
    while True:
        fib(18)
        time.sleep(0.05)


def poll_upstream(interval):
    while True:
        time.sleep(interval)


def main():
    workers = [
        threading.Thread(target=consume_jobs, name="job-consumer"),
        threading.Thread(target=compute_forever, name="calculator"),
        threading.Thread(target=poll_upstream, args=(0.5,), name="poller"),
    ]
    for worker in workers:
        worker.daemon = True
        worker.start()
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    sys.stdin.readline()  # the host closes our stdin (or dies) when it is done


if __name__ == "__main__":
    main()
