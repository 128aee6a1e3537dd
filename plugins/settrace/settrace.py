# Part of `host run settrace`'s payload (joined after settrace_names.py): the hooks put in place
# and removed, the session that drains them, and the payload's entry point.

class MonitoringHooks(object):
    """3.12+: sys.monitoring (PEP 669) callbacks under a tool id of our own."""

    def __init__(self, native, kinds):
        self.monitoring = sys.monitoring
        self.native = native
        self.kinds = kinds
        self.tool = None

    def install(self):
        monitoring = self.monitoring
        for tool in (monitoring.PROFILER_ID, 3, 4, monitoring.DEBUGGER_ID, monitoring.COVERAGE_ID):
            if monitoring.get_tool(tool) is None:
                monitoring.use_tool_id(tool, TOOL_NAME)
                self.tool = tool
                break
        else:
            raise RuntimeError("every sys.monitoring tool id is already in use in the target")
        events = monitoring.events
        callbacks = {
            events.PY_START: "calltrace_on_py_start",
            events.PY_RESUME: "calltrace_on_py_start",
            events.PY_RETURN: "calltrace_on_py_return",
            events.PY_YIELD: "calltrace_on_py_return",
            events.PY_UNWIND: "calltrace_on_py_unwind",
        }
        if self.kinds & (1 << KIND_EXCEPTION):
            callbacks[events.RAISE] = "calltrace_on_raise"
        mask = 0
        for event, name in callbacks.items():
            monitoring.register_callback(self.tool, event, self.native[name])
            mask |= event
        self.events = list(callbacks)
        monitoring.set_events(self.tool, mask)

    def refresh(self):
        pass

    def remove(self):
        if self.tool is None:
            return
        monitoring = self.monitoring
        monitoring.set_events(self.tool, 0)
        for event in self.events:
            monitoring.register_callback(self.tool, event, None)
        monitoring.free_tool_id(self.tool)
        self.tool = None


class ThreadHooks(object):
    """2.7 to 3.11: the agent's C profile (or trace) function on every thread, old and new."""

    def __init__(self, native, mode):
        self.native = native
        self.attribute = "_profile_hook" if mode == MODE_PROFILE else "_trace_hook"
        self.installer = native["calltrace_install_here"]
        self.threading = None
        self.known = None

    def install(self):
        threading = sys.modules.get("threading")
        # Threads started later run threading's hook first, which puts ours in place.
        if threading is not None and getattr(threading, self.attribute, None) is None:
            setattr(threading, self.attribute, self.installer)
            self.threading = threading
        self.refresh()

    def refresh(self):
        # Threads started without `threading` are caught here, on the controller's next tick.
        current = set(sys._current_frames())
        if current != self.known:
            self.known = current
            self.native["calltrace_install"]()

    def remove(self):
        if self.threading is not None and getattr(self.threading, self.attribute, None) is self.installer:
            setattr(self.threading, self.attribute, None)
        self.threading = None
        self.native["calltrace_uninstall"]()


def _encode(records):
    text = binascii.b2a_base64(records).strip()
    return text.decode("ascii") if isinstance(text, bytes) else text


class Session(object):
    """Owns the hooks from install to removal; ends once, from the controller or at interpreter exit."""

    def __init__(self, native, hooks, names, threads, output):
        self.native = native
        self.hooks = hooks
        self.names = names
        self.threads = threads
        self.output = output
        self.lock = _allocate_lock()
        self.finished = False
        self.atexit = None

    def flush(self):
        with self.lock:
            if not self.finished:
                self.output.send_all(_batch(self.native, self.names, self.threads), timeout=None)

    def watch_exit(self):
        # The target's last calls before it exits are flushed then, not lost.
        if _PY2:
            # Python 2 calls sys.exitfunc (importing atexit would replace it): chain in front of it.
            previous = getattr(sys, "exitfunc", None)

            def exit_function():
                self.at_exit()
                if previous is not None:
                    previous()
            self.exit_function, self.previous_exit_function = exit_function, previous
            sys.exitfunc = exit_function
            return
        import atexit
        self.atexit = atexit
        atexit.register(self.at_exit)

    def at_exit(self):
        # Bounded: the target's exit must not wait on a host that stopped reading.
        deadline = _time() + 1.0
        while not self.lock.acquire(False):
            if _time() > deadline:
                return
            _sleep(0.005)
        try:
            self._finish("exit", message_timeout=1.0)
        finally:
            self.lock.release()

    def finish(self, reason, failure=None):
        with self.lock:
            self._finish(reason, failure)

    def _finish(self, reason, failure=None, message_timeout=None):
        if self.finished:
            return
        self.finished = True
        native = self.native
        try:
            # Hooks first: from here on the target runs untraced, whatever happens to the rest.
            self.hooks.remove()
        finally:
            final = _batch(native, self.names, self.threads)
            counts = native["calltrace_stats"]()
            native["calltrace_stop"]()
            self._forget_exit_watch(reason)
        if reason != "host-gone":
            if failure is not None:
                final.append({"type": "error", "message": failure})
            else:
                counts.update(type="done", reason=reason)
                final.append(counts)
            try:
                self.output.send_all(final, message_timeout)
            except ChannelClosed:
                pass
        self.output.close()

    def _forget_exit_watch(self, reason):
        if reason == "exit":
            return
        if self.atexit is not None:
            self.atexit.unregister(self.at_exit)
        elif getattr(self, "exit_function", None) is not None and getattr(sys, "exitfunc", None) is self.exit_function:
            if self.previous_exit_function is None:
                del sys.exitfunc
            else:
                sys.exitfunc = self.previous_exit_function


def main():
    native = NATIVE
    output = open_channel(PARAMS["channel"])
    if not native or "calltrace_start" not in native:
        output.send({"type": "error", "message": "this Python lacks a C API function the tracer needs"})
        return
    import os
    control = os.open(PARAMS["control"], os.O_RDONLY | os.O_NONBLOCK)
    kinds = kinds_mask(PARAMS.get("events") or ["call"])
    if hasattr(sys, "monitoring"):
        mode = MODE_MONITORING
    elif kinds & (1 << KIND_EXCEPTION):
        mode = MODE_TRACE  # only a trace function is told of exceptions
    else:
        mode = MODE_PROFILE
    names = Names(Filters(PARAMS))
    threads = Threads(PARAMS.get("thread"))
    hooks = MonitoringHooks(native, kinds) if mode == MODE_MONITORING else ThreadHooks(native, mode)
    marker = native["calltrace_install_here"]
    disable = sys.monitoring.DISABLE if mode == MODE_MONITORING else None
    max_depth = PARAMS.get("max_depth")
    started = native["calltrace_start"](mode, kinds, -1 if max_depth is None else int(max_depth),
                                        int(PARAMS.get("capacity", 1 << 16)), int(bool(PARAMS.get("lossless"))),
                                        names.on_object, threads.on_thread, marker, disable, int(not gil_enabled()))
    if started is None:
        output.send({"type": "error", "message": "another `host run settrace` is already tracing this process"})
        return
    session = Session(native, hooks, names, threads, output)
    reason, failure = "stopped", None
    tick_ms = int(PARAMS.get("tick_ms", 50))
    try:
        hooks.install()
        session.watch_exit()
        hello = python_info()
        hello.update(type="hello", mode=MODE_LABELS[mode],
                     started_ns=started["started_ns"], tool=getattr(hooks, "tool", None))
        output.send(hello)
        while not session.finished:
            ready = native["wait_readable"](control, started["wake_fd"], tick_ms)
            if ready & 1:
                data = native["read_available"](control)
                if not data and data is not None:
                    reason = "host-gone"  # its end of the control FIFO closed: it was killed
                    break
                if data and b"stop" in data:
                    break
            hooks.refresh()
            session.flush()
    except (ChannelClosed, OSError):
        reason = "host-gone"  # the channel broke: nobody reads any more
    except Exception as error:
        failure = "%s: %s" % (type(error).__name__, error)
    finally:
        try:
            session.finish(reason, failure)
        finally:
            os.close(control)


def _batch(native, names, threads):
    # Drain first: every record drained refers to a code object or thread already described.
    records = native["calltrace_drain"]()
    messages = threads.take_messages() + names.take_messages()
    # Bounded messages keep the host's memory small when a drain brings hundreds of thousands.
    for start in range(0, len(records), EVENTS_PER_MESSAGE * RECORD_SIZE):
        messages.append({"type": "events", "data": _encode(records[start:start + EVENTS_PER_MESSAGE * RECORD_SIZE])})
    return messages


try:
    main()
except Exception as error:  # never let the target see an error of ours
    try:
        open_channel(PARAMS["channel"]).send({"type": "error", "message": "%s: %s" % (type(error).__name__, error)})
    except Exception:
        pass
