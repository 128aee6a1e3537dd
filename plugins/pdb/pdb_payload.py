# Part of `host run pdb`'s payload (joined after pdb_link.py and pdb_host.py): which thread to
# debug, how it is stopped and inspected, and the payload's entry point.

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
