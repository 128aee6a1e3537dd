# Payload of `host run settrace`. Runs on Python 2.7 and 3.6+, on the agent's thread, which
# becomes the controller: the hooks themselves are the agent's C functions (NATIVE), which
# append small binary records to a buffer; this thread decides once per code object whether
# the filters accept it, drains the buffer in batches into the channel, and removes every hook
# when the host says "stop", when the host is gone (its end of the control FIFO closes), or
# when the channel breaks. The host does all the formatting.
import binascii
import fnmatch
import re
import sys

from time import sleep as _sleep, time as _time

try:
    from _thread import allocate_lock as _allocate_lock, get_ident as _get_ident
except ImportError:
    from thread import allocate_lock as _allocate_lock, get_ident as _get_ident

IMPORTS_DONE()
if SWITCH_INTERVAL is not None:
    # The bootstrap shortened it for a quick start; a trace lasts, so the target gets its own back.
    sys.setswitchinterval(SWITCH_INTERVAL)

KIND_CALL, KIND_RETURN, KIND_EXCEPTION, KIND_UNWIND = 1, 2, 3, 4
MODE_MONITORING, MODE_PROFILE, MODE_TRACE = 1, 2, 3
TOOL_NAME = "host settrace"
RECORD_SIZE = 24
EVENTS_PER_MESSAGE = 8192


class Filters(object):
    """The user's --filter/--exclude/--include-stdlib choices, decided once per code object."""

    def __init__(self, params):
        self.include = [re.compile(fnmatch.translate(p)) for p in params.get("include") or []]
        self.exclude = [re.compile(fnmatch.translate(p)) for p in params.get("exclude") or []]
        self.include_stdlib = bool(params.get("include_stdlib"))
        import os
        self.stdlib = _text(os.path.dirname(os.__file__)) + os.sep
        self.payload_file = _text(__file__)

    @staticmethod
    def _matches(patterns, names):
        return any(p.match(n) for p in patterns for n in names if n)

    def is_stdlib(self, filename):
        if filename.startswith("<frozen"):
            return True
        return filename.startswith(self.stdlib) and "-packages" not in filename

    def accept(self, module, qualname, filename):
        if filename == self.payload_file:
            return False
        names = (module, qualname, "%s.%s" % (module, qualname) if module else qualname, filename)
        if self._matches(self.exclude, names):
            return False
        if self.include:
            return self._matches(self.include, names)
        return self.include_stdlib or not self.is_stdlib(filename)


class Threads(object):
    """Which threads are traced (--thread), and what the host needs to know about each."""

    # A thread not started by `threading` never shows up in threading._active: decide without a name.
    NAME_ATTEMPTS = 64

    def __init__(self, wanted):
        self.wanted = wanted
        self.attempts = {}
        self.unnamed = {}  # slot -> message still waiting for its thread's name
        self.outbox = []
        # on_thread runs on the traced threads, at once on a free-threaded build, and
        # take_messages on the controller: a message must never be lost between them.
        self.lock = _allocate_lock()

    @staticmethod
    def _threading():
        return sys.modules.get("threading")

    def _lookup(self, ident):
        threading = self._threading()
        if threading is None:
            return None, False
        thread = getattr(threading, "_active", {}).get(ident)
        main = getattr(threading, "main_thread", None)
        if main is not None:
            is_main = main().ident == ident
        else:
            is_main = isinstance(thread, getattr(threading, "_MainThread", ()))
        return thread, is_main

    def on_thread(self, slot):
        with self.lock:
            return self._on_thread(slot)

    def _on_thread(self, slot):
        ident = _get_ident()
        thread, is_main = self._lookup(ident)
        threading = self._threading()
        native_id = None
        if threading is not None and hasattr(threading, "get_native_id"):
            native_id = threading.get_native_id()
        name = _text(thread.name) if thread is not None else ("MainThread" if is_main else None)
        if self.wanted is not None:
            if name is None:
                tries = self.attempts.get(slot, 0) + 1
                self.attempts[slot] = tries
                if tries < self.NAME_ATTEMPTS:
                    return None
            self.attempts.pop(slot, None)
            candidates = [name, str(ident), str(native_id) if native_id is not None else None]
            if not any(c is not None and fnmatch.fnmatchcase(c, self.wanted) for c in candidates):
                return False
        message = {"type": "thread", "slot": slot, "ident": ident, "native_id": native_id,
                   "name": name, "main": is_main,
                   "daemon": bool(getattr(thread, "daemon", False)) if thread is not None else None}
        if name is None:
            self.unnamed[slot] = message
        self.outbox.append(message)
        return True

    def take_messages(self):
        """New threads, and threads whose name became known since (sent again, named)."""
        with self.lock:
            return self._take_messages()

    def _take_messages(self):
        for slot, message in list(self.unnamed.items()):
            thread, is_main = self._lookup(message["ident"])
            if thread is not None:
                named = dict(message, name=_text(thread.name), main=is_main, daemon=bool(thread.daemon))
                del self.unnamed[slot]
                if message not in self.outbox:
                    self.outbox.append(named)
                else:
                    self.outbox[self.outbox.index(message)] = named
        messages, self.outbox = self.outbox, []
        return messages


class Names(object):
    """Sends each code object's and exception type's description once, the first time it is seen."""

    def __init__(self, filters):
        self.filters = filters
        self.outbox = []
        self.module_by_file = {}
        self.lock = _allocate_lock()  # on_object runs on every traced thread, take_messages on the controller

    def _module_from_frame(self, code):
        frame = sys._getframe(2)
        for _ in range(3):
            if frame is None:
                break
            if frame.f_code is code:
                return frame, frame.f_globals.get("__name__")
            frame = frame.f_back
        return None, None

    def _module_from_file(self, filename):
        if filename not in self.module_by_file:
            for name, module in list(sys.modules.items()):
                path = getattr(module, "__file__", None)
                if path:
                    self.module_by_file[_text(path).replace(".pyc", ".py")] = name
        return self.module_by_file.get(filename)

    @staticmethod
    def _qualname(code, frame):
        qualname = getattr(code, "co_qualname", None)
        if qualname is not None:
            return _text(qualname)
        name = _text(code.co_name)
        # Before 3.11 code objects do not know their class; a method's first argument does.
        if frame is not None and code.co_argcount > 0 and code.co_varnames[0] in ("self", "cls"):
            try:
                owner = frame.f_locals.get(code.co_varnames[0])
                owner = owner if isinstance(owner, type) else type(owner)
                return "%s.%s" % (_text(owner.__name__), name)
            except Exception:
                pass
        return name

    def on_object(self, obj, ident):
        if isinstance(obj, type):
            module = getattr(obj, "__module__", None)
            name = _text(getattr(obj, "__qualname__", obj.__name__))
            if module not in (None, "builtins", "exceptions", "__builtin__"):
                name = "%s.%s" % (_text(module), name)
            with self.lock:
                self.outbox.append({"type": "exception_type", "id": ident, "name": name})
            return True
        code = obj
        filename = _text(code.co_filename)
        frame, module = self._module_from_frame(code)
        module = _text(module) if module else self._module_from_file(filename)
        qualname = self._qualname(code, frame)
        if not self.filters.accept(module, qualname, filename):
            return False
        with self.lock:
            self.outbox.append({"type": "code", "id": ident, "module": module, "name": qualname,
                                "file": filename, "line": code.co_firstlineno})
        return True

    def take_messages(self):
        with self.lock:
            messages, self.outbox = self.outbox, []
        return messages


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
    kinds = 0
    for name in PARAMS.get("events") or ["call"]:
        kinds |= {"call": 1 << KIND_CALL, "return": (1 << KIND_RETURN) | (1 << KIND_UNWIND),
                  "exception": 1 << KIND_EXCEPTION}[name]
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
        hello.update(type="hello", mode={1: "sys.monitoring", 2: "profile", 3: "trace"}[mode],
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
