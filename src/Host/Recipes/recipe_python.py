# Runs a recipe's Python code (target:python in Lua) on the agent thread, in a namespace of its
# own. The code sees PARAMS (the recipe's params, JSON data), send(value) to return values to the
# recipe, open_channel(path) for a FIFO the recipe opened with target:fifo(), host_wait(seconds),
# TARGET_MODULES and safe_repr. Runs on Python 2.7 and 3.6+.
import sys as _sys
import traceback as _traceback

try:
    _INTEGERS = (int, long)  # noqa: F821 (Python 2)
    _TEXTS = (str, unicode)  # noqa: F821
except NameError:
    _INTEGERS = (int,)
    _TEXTS = (str, bytes)

_MAX_DEPTH = 20


def _plain(value, depth=0):
    """A JSON-ready copy of value: containers are copied, anything else becomes its safe repr."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, _INTEGERS):
        return int(value) if -2 ** 63 <= value < 2 ** 63 else str(value)
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else repr(value)
    if isinstance(value, _TEXTS):
        return _text(value)
    if depth < _MAX_DEPTH:
        if isinstance(value, dict):
            return dict((_key(k), _plain(v, depth + 1)) for k, v in list(value.items()))
        if isinstance(value, (list, tuple, set, frozenset)):
            return [_plain(v, depth + 1) for v in list(value)]
    return safe_repr(value)


def _key(key):
    return _text(key) if isinstance(key, _TEXTS) else safe_repr(key)


class _RecipeChannel(object):
    """A FIFO opened by the recipe: send(value) writes a JSON line, write(text) a plain line."""

    def __init__(self, path):
        self._channel = open_channel(path)

    def send(self, value):
        self._channel.send(_plain(value))

    def write(self, text):
        self._channel.write_text(text if isinstance(text, _TEXTS) else safe_repr(text, 100000))

    def close(self):
        self._channel.close()


class _HostWait(object):
    """host_wait(seconds): sleeps without the GIL, telling the host now and then that the code is
    still at work, and raises ChannelClosed the moment the recipe is gone (killed, stopped), so
    that the code's `finally` blocks undo what it installed in the target."""

    def __init__(self, reply):
        self._reply = reply

    def __call__(self, seconds):
        # Imported here, not for every piece of code a recipe runs: most never wait.
        import select as _select
        import time as _time
        # Modules the target imports from now on are its own and stay.
        IMPORTS_DONE()
        deadline = _time.time() + max(0.0, float(seconds))
        poller = _select.poll()
        # A FIFO's write end reports POLLERR once its reader has closed it.
        poller.register(self._reply._fd, _select.POLLERR)
        while True:
            left = deadline - _time.time()
            if left <= 0:
                return
            if poller.poll(int(min(left, 1.0) * 1000) + 1):
                raise ChannelClosed("the recipe is gone")
            self._reply.send({"type": "alive"})


def _execute(code, namespace):
    exec(code, namespace)


def _line_in_code(error, trace, filename):
    if isinstance(error, SyntaxError) and error.filename == filename:
        return error.lineno
    line = None
    for entry in _traceback.extract_tb(trace):
        if entry[0] == filename:
            line = entry[1]
    return line


def _run(reply):
    opened = []

    def send(value):
        reply.send({"type": "value", "value": _plain(value)})

    def recipe_channel(path):
        channel = _RecipeChannel(path)
        opened.append(channel)
        return channel

    info = python_info()
    info["type"] = "hello"
    reply.send(info)
    namespace = {"__name__": "__recipe__", "PARAMS": PARAMS["params"], "send": send,
                 "open_channel": recipe_channel, "safe_repr": safe_repr, "host_wait": _HostWait(reply),
                 "TARGET_MODULES": MODULES_BEFORE}
    # The agent shortens the switch interval to get the GIL quickly; the code may run for long.
    if SWITCH_INTERVAL is not None and SWITCH_INTERVAL > 0.0005:
        _sys.setswitchinterval(SWITCH_INTERVAL)
    filename = PARAMS["filename"]
    try:
        try:
            _execute(compile(PARAMS["code"], filename, "exec"), namespace)
        finally:
            for channel in opened:
                channel.close()
    except ChannelClosed:
        return
    except BaseException:
        kind, error, trace = _sys.exc_info()
        message = _traceback.format_exception_only(kind, error)[-1].strip()
        reply.send({"type": "error", "message": _text(message), "line": _line_in_code(error, trace, filename)})
        return
    finally:
        namespace.clear()
    reply.send({"type": "done"})


def _main():
    reply = open_channel(PARAMS["channel"])
    try:
        _run(reply)
    except ChannelClosed:
        pass
    finally:
        reply.close()


_main()
