# Payload of `host run pdb`. Runs on Python 2.7 and 3.6+, on the agent's thread (the controller).
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


def _pdb_options():
    options = {"stdin": None, "stdout": None}
    code = pdb.Pdb.__init__
    names = getattr(getattr(code, "__code__", None), "co_varnames", ())
    if "nosigint" in names:
        options["nosigint"] = True  # never touch the target's SIGINT handler
    if "readrc" in names:
        options["readrc"] = False  # never run the target's .pdbrc
    return options


class HostPdb(pdb.Pdb):
    def __init__(self, link):
        options = _pdb_options()
        options.update(stdin=Input(link), stdout=Output(link))
        pdb.Pdb.__init__(self, **options)
        self.rcLines = []
        self.use_rawinput = 0
        self.prompt = "(Pdb) "
        self.link = link
        self.prompt_lock = _allocate_lock()
        self.detached = False
        self.live = False  # the prompt runs on the debugged thread itself
        self.resume = ("step", None)

    def interaction(self, frame, traceback):
        if self.detached:
            return
        # One prompt at a time: the debugged thread waits while the controller inspects it.
        with self.prompt_lock:
            if self.detached:
                return
            self.live = _get_ident() != self.link.controller
            try:
                pdb.Pdb.interaction(self, frame, traceback)
            finally:
                # "running": the thread goes on; "waiting": it is outside Python and will stop (or
                # go on, per the command) when it next runs Python.
                state = "running" if self.live else "waiting"
                self.live = False
            if not self.detached:
                self.link.send({"type": state})

    def detach(self, arg=None):
        self.detached = True
        self.clear_all_breaks()
        bdb.Bdb.set_continue(self)
        return 1

    # While the controller inspects a thread that is outside Python, the commands that make it run
    # are remembered, and applied on that thread when it breaks in (see Debugger.break_in).
    def set_continue(self):
        if self._inspecting():
            self.resume = ("continue", None)
        else:
            bdb.Bdb.set_continue(self)

    def set_step(self):
        if self._inspecting():
            self.resume = ("step", None)
        else:
            bdb.Bdb.set_step(self)

    def set_next(self, frame):
        if self._inspecting():
            self.resume = ("next", frame)
        else:
            bdb.Bdb.set_next(self, frame)

    def set_return(self, frame):
        if self._inspecting():
            self.resume = ("return", frame)
        else:
            bdb.Bdb.set_return(self, frame)

    def _inspecting(self):
        return not self.detached and _get_ident() == self.link.controller

    do_quit = do_q = do_exit = detach

    # What the host's Tab asks for: cmd.Cmd.complete's choices, without the readline module.
    COMPLETION_DELIMITERS = " \t\n`~!@#$%^&*()-=+[{]}\\|;:'\",<>/?"

    def completions(self, line):
        begin = len(line)
        while begin > 0 and line[begin - 1] not in self.COMPLETION_DELIMITERS:
            begin -= 1
        text = line[begin:]
        stripped = len(line) - len(line.lstrip())
        try:
            if begin > stripped:
                command = self.parseline(line.lstrip())[0]
                choose = getattr(self, "complete_" + command, self.completedefault) if command else self.completedefault
            else:
                choose = self.completenames
            items = sorted(set(choose(text, line, begin, len(line)) or []))
        except Exception:
            items = []
        return {"type": "completions", "prefix": line[:begin], "items": [_text(i) for i in items[:200]]}

    def do_interact(self, arg):
        """interact: a Python console in the current frame's namespace, over the host's terminal."""
        namespace = dict(self.curframe.f_globals)
        namespace.update(getattr(self, "curframe_locals", self.curframe.f_locals))
        HostConsole(self, namespace).interact("*interactive* (Ctrl-D goes back to pdb)")

    def _refuse(self, arg=None):
        """Commands that would raise into the target (run/restart raise Restart) or take over its
        own stdin and stdout (debug) are refused."""
        self.message("*** not available when attached to a running process")

    do_run = do_restart = do_debug = _refuse

    def do_EOF(self, arg):
        self.message("")
        return self.detach()

    if not hasattr(pdb.Pdb, "message"):
        def message(self, text):
            self.stdout.write(text + "\n")


class HostConsole(_code.InteractiveConsole):
    """pdb's `interact`, reading and writing through the host instead of the target's stdin/stdout."""

    def __init__(self, debugger, namespace):
        _code.InteractiveConsole.__init__(self, namespace)
        self.debugger = debugger
        self.leaving = False

    def raw_input(self, prompt=""):
        if self.leaving:
            raise EOFError
        self.debugger.stdout.write(prompt)
        line = self.debugger.link.readline()
        if not line:
            raise EOFError
        return line.rstrip("\n")

    def write(self, data):
        self.debugger.stdout.write(data)

    def runcode(self, code):
        # Like pdb's own statements: input and output go through the host only while this line
        # runs (exit() closes sys.stdin: never the target's own).
        saved = sys.stdin, sys.stdout, sys.displayhook
        sys.stdin = self.debugger.stdin
        sys.stdout = self.debugger.stdout
        sys.displayhook = self._display
        try:
            _code.InteractiveConsole.runcode(self, code)
        except SystemExit:
            # exit() here must not end the target's thread (or the target): it leaves the console.
            self.write("(exit() leaves interact; the process runs on)\n")
            self.leaving = True
        finally:
            sys.stdin, sys.stdout, sys.displayhook = saved

    def _display(self, value):
        if value is not None:
            self.debugger.stdout.write(repr(value) + "\n")


def _threading():
    return sys.modules.get("threading")


def _describe_threads():
    threading = _threading()
    active = dict(getattr(threading, "_active", {})) if threading else {}
    result = []
    for ident in sys._current_frames():
        if ident == _get_ident():
            continue
        thread = active.get(ident)
        result.append("%s (%d)" % (thread.name if thread else "?", ident))
    return result


def _find_thread(wanted):
    frames = sys._current_frames()
    threading = _threading()
    active = dict(getattr(threading, "_active", {})) if threading else {}
    if wanted is None:
        main = getattr(threading, "main_thread", None) if threading else None
        if main is not None:
            return main().ident
        for ident, thread in active.items():
            if type(thread).__name__ == "_MainThread":
                return ident
        others = [ident for ident in frames if ident != _get_ident()]
        return others[0] if len(others) == 1 else None
    for ident in frames:
        thread = active.get(ident)
        names = [str(ident)]
        if thread is not None:
            names.append(thread.name)
            if getattr(thread, "native_id", None) is not None:
                names.append(str(thread.native_id))
        if wanted in names and ident != _get_ident():
            return ident
    return None


class Debugger(object):
    def __init__(self, link, ident):
        self.link = link
        self.ident = ident
        self.pdb = HostPdb(link)
        self.armed = False
        self.link.on_control = self.on_control
        self.break_requested = False
        # Kept here: this payload's namespace is cleared when it returns, and a trace function left
        # armed on a thread that never broke in removes itself (break_in) from what it holds.
        self._settrace = sys.settrace
        self.threaded = not gil_enabled()
        self.hook_name = None

    def _frames(self):
        if self.threaded:
            stacks = thread_stacks(True, self.ident)
            frame = stacks[self.ident][1] if self.ident in stacks else None
        else:
            frame = sys._current_frames().get(self.ident)
        frames = []
        while frame is not None:
            frames.append(frame)
            frame = frame.f_back
        return frames

    def break_in(self, frame, event, arg):
        # Runs on the debugged thread, at its next line or call.
        if not self.armed or self.pdb.detached:
            if self.threaded:
                self._settrace(None)  # armed on itself, never broke in: leaves no trace behind
            return None
        self.armed = False
        debugger = self.pdb
        with debugger.prompt_lock:
            pass  # an inspection in progress decides how this thread resumes: wait for it
        if debugger.detached:
            return None
        resume, resume_frame = debugger.resume
        debugger.resume = ("step", None)
        bdb.Bdb.set_trace(debugger, frame)
        if resume == "continue":
            bdb.Bdb.set_continue(debugger)
            if not debugger.breaks:
                return None
        elif resume == "next":
            bdb.Bdb.set_next(debugger, resume_frame)
        elif resume == "return":
            bdb.Bdb.set_return(debugger, resume_frame)
        return debugger.trace_dispatch(frame, event, arg)

    def arm_here(self, frame):
        # Free-threaded builds: runs on the debugged thread itself, at its first safe point, with
        # the frame it was running (the pending call's own frame is above it).
        if not self.armed or self.pdb.detached:
            return
        while frame is not None:
            frame.f_trace = self.break_in
            frame = frame.f_back
        self._settrace(self.break_in)

    def arm(self):
        if self.threaded:
            return self._arm_by_pending_call()
        frames = self._frames()
        if not frames:
            return False
        self.armed = True
        for frame in frames:
            frame.f_trace = self.break_in
        NATIVE["thread_settrace"](frames[0], sys.settrace, self.break_in)
        return True

    def _arm_by_pending_call(self):
        if self.hook_name is None:
            import types
            self.hook_name = "__host_pdb_%d_%d__" % (os.getpid(), id(self))
            hook = types.ModuleType(self.hook_name)
            hook.arm_here = self.arm_here
            sys.modules[self.hook_name] = hook
            self.script = os.path.join(SESSION_DIR, "break_in.py")
            with open(self.script, "w") as f:
                f.write("try:\n    import sys\n    _hook = sys.modules.get(%r)\n"
                        "    if _hook is not None:\n        _hook.arm_here(sys._getframe().f_back)\n"
                        "except BaseException:\n    pass\n" % self.hook_name)
        self.armed = True
        asked = NATIVE["run_on_thread"](self.ident, self.script)
        if asked == 1:
            return True
        self.armed = False
        why = {0: "the thread has ended", -2: "the target runs with remote debugging disabled (-X disable-remote-debug)"}
        self.link.send({"type": "output", "text": "host: this free-threaded build's thread cannot be made to stop here (%s); "
                        "its frames are shown as they are, and it runs on.\n" % why.get(asked, "not supported by this Python")})
        return False

    def disarm(self):
        self.armed = False
        if self.threaded:
            # A request not yet taken up is withdrawn; a thread armed on itself clears its trace
            # when it next runs Python (break_in).
            NATIVE["cancel_on_thread"](self.ident)
            if self.hook_name is not None:
                sys.modules.pop(self.hook_name, None)
            return
        frames = self._frames()
        for frame in frames:
            if getattr(frame, "f_trace", None) in (self.break_in, self.pdb.trace_dispatch):
                frame.f_trace = None
        if frames:
            NATIVE["thread_settrace"](frames[0], sys.settrace, None)

    def on_control(self, command):
        if command.startswith("complete "):
            self.link.send(self.pdb.completions(command[len("complete "):]))
            return
        if self.pdb.detached or self.pdb.live:
            return
        if command == "break":
            self.break_requested = True
        elif command == "detach":
            self.pdb.detach()

    def run(self):
        if not self._frames():
            self.link.send({"type": "error", "message": "the thread has no Python frame to stop at"})
            return
        # Said before arming: once armed, the thread may reach its prompt before the controller runs again.
        self.link.send({"type": "attached", "ident": self.ident})
        armed = self.arm()
        deadline = _time() + GRACE_SECONDS
        inspected = False
        if not armed:
            inspected = True
            self.inspect()  # it cannot be stopped: its frames, as they are, are all there is
        while not self.pdb.detached:
            if not self.link.poll(50):
                self.pdb.detach()  # the host is gone: let the thread run on, untraced
                break
            if self.break_requested:
                self.break_requested = False
                inspected = not self.arm()
                deadline = _time() + GRACE_SECONDS
            if self.armed and not inspected and _time() > deadline and not self.pdb.live:
                inspected = True
                self.inspect()
        # The thread may still be leaving its prompt. This namespace is cleared once the payload
        # returns, so our code must outlive its last use on that thread.
        with self.pdb.prompt_lock:
            pass
        self.disarm()

    def inspect(self):
        frames = self._frames()
        if not frames:
            return
        self.link.send({"type": "output", "text":
                        "host: the thread is outside Python (in a C call, sleeping or waiting); here are its "
                        "current frames. Commands that make it run (step, next, continue...) take effect "
                        "when it next runs Python.\n"})
        bdb.Bdb.reset(self.pdb)  # the whole stack is shown: no frame is pdb's "bottom" yet
        self.pdb.interaction(frames[0], None)


def main():
    link = Link(NATIVE, PARAMS["channel"], PARAMS["commands"])
    try:
        ident = _find_thread(PARAMS.get("thread"))
        if ident is None:
            link.send({"type": "error", "message": "no such thread: %s; the process has: %s" % (
                PARAMS.get("thread") or "main thread", ", ".join(_describe_threads()))})
            return
        Debugger(link, ident).run()
        link.send({"type": "done"})
    finally:
        link.out.close()
        try:
            os.close(link.commands)
        except OSError:
            pass


try:
    main()
except Exception as error:  # never let the target see an error of ours
    pass
