# Payload of `host run pdb`, in three files joined in this order: pdb_link.py (this one: the host's
# channels), pdb_host.py (pdb itself), pdb_payload.py (the debugged thread, and the entry point).
# Runs on Python 2.7 and 3.6+, on the agent's thread (the controller).
#
# The debugged thread is stopped the way pdb itself stops one: a trace function. It is set on that
# thread from here (NATIVE.thread_settrace) together with f_trace on its frames, so the thread
# breaks in at its very next line or call and runs pdb's prompt itself; then step, next, continue
# and breakpoints are plain pdb. A thread blocked outside Python (sleep, accept) would keep the user
# waiting: after a short grace period the controller opens the prompt on that thread's current
# frames instead (inspection), and the trace stays armed for when the thread runs Python again.
#
# On a free-threaded build the debugged thread runs while the controller does, so the controller
# never touches its live frames: the thread is asked (NATIVE.run_on_thread, CPython 3.14's per-thread
# pending call) to arm the trace on itself at its next safe point, and what the controller inspects
# is a copy of its frames taken while every other thread was paused (thread_stacks).
#
# Lines from the host arrive on a command FIFO that only the controller reads; the prompt, wherever
# it runs, takes them from a queue. "quit", EOF, and the host going away all detach: breakpoints and
# trace functions are removed and no exception is ever raised into the target's code (pdb's own quit
# would raise BdbQuit there).
import os
import sys
from time import time as _time

try:
    from _thread import allocate_lock as _allocate_lock, get_ident as _get_ident
except ImportError:
    from thread import allocate_lock as _allocate_lock, get_ident as _get_ident

# pdb imports readline when it can, and readline set up in a process with a terminal changes that
# terminal; the prompt is the host's anyway.
_had_readline = "readline" in sys.modules
if not _had_readline:
    sys.modules["readline"] = None
try:
    import bdb
    import code as _code
    import pdb
finally:
    if not _had_readline:
        del sys.modules["readline"]
IMPORTS_DONE()
if SWITCH_INTERVAL is not None:
    sys.setswitchinterval(SWITCH_INTERVAL)

GRACE_SECONDS = float(PARAMS.get("grace", 0.3))


class HostGone(Exception):
    pass


class Link(object):
    """The two FIFOs. Only the controller reads commands; other threads wait for lines on a queue."""

    def __init__(self, native, output_path, commands_path):
        self.native = native
        self.out = open_channel(output_path)
        self.commands = os.open(commands_path, os.O_RDONLY | os.O_NONBLOCK)
        self.controller = _get_ident()
        self.pending = b""
        self.lines = []
        self.lines_lock = _allocate_lock()
        self.available = _allocate_lock()
        self.available.acquire()
        self.closed = False
        self.on_control = None

    def send(self, message):
        try:
            self.out.send(message, timeout=None)
        except ChannelClosed:
            self.closed = True

    def poll(self, timeout_ms):
        """Controller only: reads what the host sent; True while the host is there."""
        if self.closed:
            return False
        self.native["wait_readable"](self.commands, self.commands, timeout_ms)
        data = self.native["read_available"](self.commands)
        if data is None:
            return True
        if not data:
            self.closed = True
            self._deliver(None)
            return False
        self.pending += data
        while b"\n" in self.pending:
            line, self.pending = self.pending.split(b"\n", 1)
            text = line.decode("utf-8", "replace")
            if text == "\x00eof":
                self._deliver(None)  # Ctrl-D at the host: end of input for whoever reads (pdb, interact)
            elif text.startswith("\x00"):
                if self.on_control is not None:
                    self.on_control(text[1:])
            else:
                self._deliver(text)
        return True

    def _deliver(self, line):
        with self.lines_lock:
            self.lines.append(line)
            if len(self.lines) == 1:
                self.available.release()

    def readline(self):
        """The next command line, or "" at the end of input (Ctrl-D, or the host is gone)."""
        self.send({"type": "prompt"})
        if _get_ident() == self.controller:
            while not self.lines and self.poll(200):
                pass
        if not self.lines and self.closed:
            return ""
        self.available.acquire()
        with self.lines_lock:
            line = self.lines.pop(0)
            if self.lines:
                self.available.release()
        return "" if line is None else line + "\n"


class Output(object):
    def __init__(self, link):
        self.link = link

    def write(self, text):
        if text:
            self.link.send({"type": "output", "text": _text(text)})

    def flush(self):
        pass


class Input(object):
    def __init__(self, link):
        self.link = link

    def readline(self, size=-1):
        return self.link.readline()

    def close(self):
        pass  # exit() closes sys.stdin; this one stays usable
