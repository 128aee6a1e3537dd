# Prepended by the host to every payload. Runs on Python 2.7 and 3.6+, on the
# agent's own thread, in a namespace of its own (never the target's __main__).
# Anything imported here that the target had not imported is dropped from
# sys.modules by the agent afterwards.
import errno as _errno
import os as _os
import sys as _sys

_PY2 = _sys.version_info[0] == 2


class _JsonContext(object):
    # What json's JSONDecoder gives _json.make_scanner (encoding is read by Python 2 only).
    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    encoding = "utf-8"

    @staticmethod
    def parse_constant(name):
        return {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}[name]


class _CJson(object):
    """json.loads and compact json.dumps from json's C accelerator alone. Importing json itself
    imports `re`: several milliseconds, with the GIL held, in every target that never did."""

    def __init__(self, accelerator):
        self._scan = accelerator.make_scanner(_JsonContext())
        self._encode = accelerator.make_encoder(
            None, self._unserialisable, accelerator.encode_basestring_ascii, None, ":", ",", False, False, True)

    @staticmethod
    def _unserialisable(value):
        raise TypeError("%r is not JSON serializable" % (value,))

    def loads(self, text):
        text = text.strip(" \t\r\n")
        try:
            value, end = self._scan(text, 0)
        except StopIteration:
            raise ValueError("not a JSON document")
        if end != len(text):
            raise ValueError("extra data after the JSON document")
        return value

    def dumps(self, value, separators=None):
        return "".join(self._encode(value, 0))


def _json_module():
    loaded = _sys.modules.get("json")
    if loaded is not None:
        return loaded
    try:
        import _json as accelerator
        fast = _CJson(accelerator)
        # The accelerator's interface is private: use it only where it behaves exactly like json.
        if (fast.dumps({"a": [1, u"\u00e9", None, True, 1.5]}) == '{"a":[1,"\\u00e9",null,true,1.5]}'
                and fast.loads(' {"a": [1, "x", null]} ') == {"a": [1, "x", None]}):
            return fast
    except Exception:
        pass
    import json
    return json


_json = _json_module()


def _load_params():
    with open(_os.path.join(SESSION_DIR, "params.json"), "rb") as f:
        return _json.loads(f.read().decode("utf-8"))


PARAMS = _load_params()


class ChannelClosed(Exception):
    """The host is gone (killed, or it stopped reading): stop and clean up."""


class _Channel(object):
    # The descriptor stays non-blocking: a full FIFO (a slow or stopped host) is waited on with a
    # bound, so the payload can never hang the agent thread for good.
    WRITE_TIMEOUT = 10.0

    def __init__(self, path):
        try:
            # Non-blocking open fails with ENXIO instead of hanging when no one reads.
            self._fd = _os.open(path, _os.O_WRONLY | _os.O_NONBLOCK)
        except OSError as error:
            raise ChannelClosed(str(error))

    def send(self, message, timeout=WRITE_TIMEOUT):
        self.send_all([message], timeout)

    def send_all(self, messages, timeout=WRITE_TIMEOUT):
        """Writes many messages with as few system calls (and GIL hand-overs) as possible. A full
        FIFO is waited on for `timeout` seconds; None waits as long as the host is there (a
        streaming payload, whose hooks drop events meanwhile)."""
        data = "".join(_json.dumps(m, separators=(",", ":")) + "\n" for m in messages).encode("utf-8")
        self._write(data, timeout)

    def write_text(self, text, timeout=WRITE_TIMEOUT):
        """Writes one line of plain text (a newline is added)."""
        self._write((_text(text) + u"\n").encode("utf-8"), timeout)

    def _write(self, data, timeout):
        write_all = NATIVE.get("write_all") if NATIVE else None
        if write_all is not None:
            # The agent's write never takes the GIL back in an interpreter that is shutting down.
            try:
                write_all(self._fd, data, -1 if timeout is None else int(timeout * 1000))
            except OSError as error:
                raise ChannelClosed(str(error))
            return
        while data:
            try:
                written = _os.write(self._fd, data)
            except OSError as error:
                if error.errno == _errno.EINTR:
                    continue
                if error.errno == _errno.EAGAIN:
                    self._wait_writable(timeout)
                    continue
                raise ChannelClosed(str(error))
            data = data[written:]

    def _wait_writable(self, timeout):
        import select
        try:
            ready = select.select([], [self._fd], [], timeout)[1]
        except (OSError, select.error):
            ready = []
        if not ready:
            raise ChannelClosed("the host stopped reading")

    def close(self):
        if self._fd is not None:
            try:
                _os.close(self._fd)
            except OSError:
                pass
            self._fd = None


def open_channel(path):
    return _Channel(path)


def _text(value):
    if _PY2 and isinstance(value, str):
        return value.decode("utf-8", "replace")
    if not _PY2 and isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def _bounded_repr(value, limit, depth):
    # Builtin containers are shown partially so that a huge list costs nothing;
    # anything else goes through its own __repr__, whose failures are caught.
    kind = type(value)
    if depth < 2 and kind in (list, tuple, set, frozenset) and len(value) > 10:
        items = [_bounded_repr(v, limit, depth + 1) for v in list(value)[:10]]
        return "%s[%s, ... %d items]" % (kind.__name__, ", ".join(items), len(value))
    if depth < 2 and kind is dict and len(value) > 10:
        items = ["%s: %s" % (_bounded_repr(k, limit, depth + 1), _bounded_repr(value[k], limit, depth + 1))
                 for k in list(value)[:10]]
        return "{%s, ... %d items}" % (", ".join(items), len(value))
    return _text(repr(value))


def safe_repr(value, limit=200):
    try:
        text = _bounded_repr(value, limit, 0)
    except Exception as error:
        try:
            text = "<repr failed: %s>" % type(error).__name__
        except Exception:
            text = "<repr failed>"
    if len(text) > limit:
        text = text[:limit - 3] + "..."
    return text


def current_thread_ident():
    try:
        import _thread as thread_module
    except ImportError:
        import thread as thread_module
    return thread_module.get_ident()


def python_info():
    # A free-threaded build says so as Python does in its ABI tag: "3.14.7t".
    version = _sys.version.split()[0] + ("t" if free_threaded_build() else "")
    info = {"python": version, "pid": _os.getpid(), "executable": _text(_sys.executable)}
    implementation = getattr(_sys, "implementation", None)
    info["implementation"] = implementation.name if implementation else "cpython"
    return info


def gil_enabled():
    """False on a free-threaded build running without its GIL: other threads run Python meanwhile."""
    return getattr(_sys, "_is_gil_enabled", lambda: True)()


def free_threaded_build():
    return "t" in getattr(_sys, "abiflags", "")


class FrozenFrame(object):
    """A frame of another thread as it was when the world was stopped (free-threaded builds): its
    code, line and globals, and a copy of its locals, under the names frame objects use, so that
    what walks stacks (and pdb) takes it like a frame. It never changes afterwards."""

    f_trace = None
    f_trace_lines = True
    f_lasti = -1

    def __init__(self, code, line, globals_, locals_, back):
        self.f_code = code
        self.f_lineno = line
        self.f_globals = globals_ if globals_ is not None else {}
        self.f_builtins = self.f_globals.get("__builtins__", {})
        # Module-level code has no locals of its own: its namespace is its globals.
        self.f_locals = locals_ if code.co_flags & 0x2 else self.f_globals
        self.f_back = back

    def clear(self):
        pass


_CO_FAST_HIDDEN, _CO_FAST_CELL, _CO_FAST_FREE = 0x10, 0x40, 0x80
_UNBOUND = object()


def _frozen_locals(names, kinds, values):
    result = {}
    if names is None:
        return result
    for name, kind, value in zip(names, bytearray(kinds), values):
        if kind & _CO_FAST_HIDDEN or value is _UNBOUND:
            continue
        if kind & (_CO_FAST_CELL | _CO_FAST_FREE) and type(value).__name__ == "cell":
            try:
                value = value.cell_contents
            except ValueError:
                continue
        result[name] = value
    return result


def thread_stacks(with_locals=False, ident=None):
    """ident -> (native_id or None, that thread's innermost frame) for every thread but ours (or the
    one asked for), read safely on any build: with the GIL held, frame objects; on a free-threaded
    build, FrozenFrame copies made while every other thread was paused."""
    me = current_thread_ident()
    if gil_enabled():
        frames = _sys._current_frames()
        return dict((i, (None, f)) for i, f in frames.items() if i != me and (ident is None or i == ident))
    snapshot = NATIVE["snapshot_threads"](ident, bool(with_locals), _UNBOUND) if NATIVE else None
    if snapshot is None:
        raise RuntimeError("Python %s without its GIL: host can read the threads of 3.14t only (its layout), "
                           "so it leaves this one alone" % _sys.version.split()[0])
    stacks = {}
    for thread_ident, native_id, frames in snapshot:
        if thread_ident == me:
            continue
        back = None
        for code, line, globals_, names, kinds, values in reversed(frames):
            back = FrozenFrame(code, line, globals_, _frozen_locals(names, kinds, values) if with_locals else {}, back)
        if back is not None:
            stacks[thread_ident] = (native_id, back)
    return stacks
