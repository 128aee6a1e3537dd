# Payload of `host run settrace`, in two files joined in this order: settrace_names.py (this one:
# which functions and threads are traced, and their names) and settrace.py (hooks, session, entry). Runs on Python 2.7 and 3.6+, on the agent's thread, which
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

# The record layout, kinds and modes the agent's hooks use are native/trace_vocabulary.def's,
# handed over by the host as data.
VOCABULARY = PARAMS["vocabulary"]
KIND_CALL, KIND_RETURN, KIND_EXCEPTION, KIND_UNWIND = [
    VOCABULARY["kinds"][name] for name in ("CALL", "RETURN", "EXCEPTION", "UNWIND")]
MODE_MONITORING, MODE_PROFILE, MODE_TRACE = [
    VOCABULARY["modes"][name] for name in ("MONITORING", "PROFILE", "TRACE")]
MODE_LABELS = dict((VOCABULARY["modes"][name], label) for name, label in VOCABULARY["mode_labels"].items())
TOOL_NAME = "host settrace"
RECORD_SIZE = VOCABULARY["record_size"]
EVENTS_PER_MESSAGE = 8192


def kinds_mask(events):
    """The agent's mask (1 << KIND_*) of the kinds the --events names select: "return" is RETURN and UNWIND."""
    mask = 0
    for name, event in VOCABULARY["kind_events"].items():
        if event in events:
            mask |= 1 << VOCABULARY["kinds"][name]
    return mask


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
