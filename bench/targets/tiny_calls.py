"""Benchmark target for bench/settrace: a main loop calling a tiny function as fast as it can.

The main thread calls hot(x) (`return x + 1`) in chunks of CHUNK calls; once REF_GAP_S has
passed since the last one, it times a reference loop that makes no Python call
(sum(range(REF_N)), one C call: a trace function sees nothing of it, a profile function
only its start and end), whose speed follows the machine's own speed changes (a virtual CPU
can run 2x slower for seconds at a time with nothing else running on it) but not the cost
of tracing. Every SLICE_S seconds it prints one line for that slice (stdout, flushed):

    rate <phase> <seconds since start> <calls> <slice seconds> <process CPU seconds>
         <seconds in the reference loop> <reference elements/s> <calls/s>

on one line. process CPU seconds: user + system time of every thread of this process;
reference elements/s: the median over the slice's reference runs; calls/s: calls / (slice
seconds - seconds in the reference loop).

Commands, one a line on stdin (read by a helper thread, acted on by the main thread
between two chunks, which also closes the current slice so no slice spans two phases):

    mark NAME        later slices are labelled NAME
    hook empty NAME  install an empty sys.settrace hook (returns None) in this thread and
                     for new threads (threading.settrace); later slices are labelled NAME
    hook lptrace FIFO NAME
                     install an lptrace-style hook: on every 'call' event it writes
                     "name (file:line)\\n" to FIFO (opened once, for writing) and returns None
    unhook NAME      remove the hook (sys.settrace(None), threading.settrace(None)), close
                     the FIFO; later slices are labelled NAME
    quit             exit 0 (end of file on stdin does the same)

Before the first command, slices are labelled "start". Runs on Python 2.7 and 3.6+.
Usage: python tiny_calls.py [--slice SECONDS]
"""
import sys
import threading
import time

try:
    clock = time.perf_counter
except AttributeError:  # Python 2.7
    clock = time.time

try:
    cpu_clock = time.process_time
except AttributeError:  # Python 2.7: clock() is the process CPU time on Unix
    cpu_clock = time.clock

try:
    xrange
except NameError:  # Python 3
    xrange = range

CHUNK = 2000
REF_N = 20000
REF_GAP_S = 0.004
SLICE_S = 0.25


def hot(x):
    return x + 1


def spin(n):
    x = 0
    for _ in xrange(n):
        x = hot(x)
    return x


class Commands(object):
    """Lines read from stdin by a daemon thread; the main thread polls `pending`."""

    def __init__(self):
        self._lock = threading.Lock()
        self._lines = []
        self.pending = False  # read without the lock: a cheap check per chunk

    def read_forever(self):
        while True:
            line = sys.stdin.readline()
            if not line:
                line = "quit\n"
            with self._lock:
                self._lines.append(line.strip())
                self.pending = True
            if line == "quit\n":
                return

    def take(self):
        with self._lock:
            lines, self._lines = self._lines, []
            self.pending = False
        return lines


def empty_hook(frame, event, arg):
    return None


def make_lptrace_hook(fifo):
    write = fifo.write

    def lptrace_hook(frame, event, arg):
        if event == "call":
            code = frame.f_code
            write("%s (%s:%d)\n" % (code.co_name, code.co_filename, frame.f_lineno))
        return None

    return lptrace_hook


def main():
    slice_s = SLICE_S
    if len(sys.argv) == 3 and sys.argv[1] == "--slice":
        slice_s = float(sys.argv[2])
    commands = Commands()
    reader = threading.Thread(target=commands.read_forever, name="commands")
    reader.daemon = True
    reader.start()

    out = sys.stdout
    phase = "start"
    fifo = None
    t0 = clock()
    slice_start = t0
    cpu_start = cpu_clock()
    calls = 0
    ref_time = 0.0
    ref_rates = []
    ref_range = xrange(REF_N)
    ref_end = t0
    running = True
    while running:
        spin(CHUNK)
        calls += CHUNK
        now = clock()
        if now - ref_end >= REF_GAP_S or not ref_rates:
            r0 = clock()
            sum(ref_range)
            now = ref_end = clock()
            ref_time += now - r0
            ref_rates.append(REF_N / (now - r0))
        pending = commands.pending
        if pending or now - slice_start >= slice_s:
            elapsed = now - slice_start
            cpu = cpu_clock() - cpu_start
            ref_rates.sort()
            out.write("rate %s %.3f %d %.6f %.6f %.6f %.1f %.1f\n"
                      % (phase, now - t0, calls, elapsed, cpu, ref_time, ref_rates[len(ref_rates) // 2],
                         calls / (elapsed - ref_time)))
            out.flush()
            if pending:
                for line in commands.take():
                    words = line.split()
                    if not words:
                        continue
                    if words[0] == "quit":
                        running = False
                    elif words[0] == "mark" and len(words) == 2:
                        phase = words[1]
                    elif words[0] == "hook" and words[1:2] == ["empty"] and len(words) == 3:
                        sys.settrace(empty_hook)
                        threading.settrace(empty_hook)
                        phase = words[2]
                    elif words[0] == "hook" and words[1:2] == ["lptrace"] and len(words) == 4:
                        fifo = open(words[2], "w")
                        hook = make_lptrace_hook(fifo)
                        sys.settrace(hook)
                        threading.settrace(hook)
                        phase = words[3]
                    elif words[0] == "unhook" and len(words) == 2:
                        sys.settrace(None)
                        threading.settrace(None)
                        if fifo is not None:
                            fifo.close()
                            fifo = None
                        phase = words[1]
                    else:
                        out.write("error unknown command %r\n" % line)
                    out.write("ok %s %.3f\n" % (line, clock() - t0))
                out.flush()
            slice_start = clock()
            cpu_start = cpu_clock()
            calls = 0
            ref_time = 0.0
            ref_rates = []
    if fifo is not None:
        fifo.close()


if __name__ == "__main__":
    main()
