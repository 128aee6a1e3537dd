# Payload of `host run stackdump`: every thread's Python stack, as one snapshot.
# Runs on Python 2.7 and 3.6+. Everything is collected first, while we hold the
# GIL and no other thread moves (on a free-threaded build, from a copy taken while
# every other thread was paused: see thread_stacks); only then is it sent (writing
# releases the GIL).
import sys


def _thread_objects():
    """ident -> threading.Thread, without importing threading if the target did not."""
    threading = sys.modules.get("threading")
    if threading is None:
        return {}, None
    active = dict(getattr(threading, "_active", {}))
    main_ident = None
    main_thread = getattr(threading, "main_thread", None)
    if main_thread is not None:
        main_ident = main_thread().ident
    else:
        for thread in active.values():
            if isinstance(thread, getattr(threading, "_MainThread", ())):
                main_ident = thread.ident
    return active, main_ident


_source_cache = {}


def _source_line(filename, lineno):
    if filename not in _source_cache:
        lines = None
        try:
            with open(filename, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
        except Exception:
            pass
        _source_cache[filename] = lines
    lines = _source_cache[filename]
    if lines is None or lineno is None or not 0 < lineno <= len(lines):
        return None
    return lines[lineno - 1].strip()


WITH_LOCALS = bool(PARAMS.get("locals", False))
REPR_LIMIT = int(PARAMS.get("repr_limit", 200))


def _frame_record(frame):
    code = frame.f_code
    line = frame.f_lineno
    record = {
        "file": _text(code.co_filename),
        "line": line,
        "function": _text(getattr(code, "co_qualname", code.co_name)),
        "source": _source_line(code.co_filename, line),
    }
    if WITH_LOCALS:
        values = []
        try:
            # A module-level frame's locals are the module's globals: noise, not state.
            names = [] if frame.f_locals is frame.f_globals else list(frame.f_locals.items())
        except Exception:
            names = []
        for name, value in names[:100]:
            values.append([_text(name), safe_repr(value, REPR_LIMIT)])
        record["locals"] = values
    return record


def _is_module_level_main(stack):
    outermost = stack[0] if stack else None
    return (outermost is not None and outermost.f_code.co_name == "<module>"
            and outermost.f_globals.get("__name__") == "__main__")


def _snapshot():
    active, main_ident = _thread_objects()
    threads = []
    for ident, (native_id, frame) in thread_stacks(WITH_LOCALS).items():
        stack = []
        while frame is not None:
            stack.append(frame)
            frame = frame.f_back
        stack.reverse()
        thread = active.get(ident)
        is_main = ident == main_ident if main_ident is not None else _is_module_level_main(stack)
        threads.append({
            "type": "thread",
            "ident": ident,
            "native_id": native_id if native_id is not None else getattr(thread, "native_id", None),
            "name": _text(thread.name) if thread is not None else None,
            "daemon": bool(thread.daemon) if thread is not None else None,
            "main": is_main,
            "frames": [_frame_record(f) for f in stack],
        })
        del stack
    threads.sort(key=lambda t: (not t["main"], t["name"] or "", t["ident"]))
    return threads


def _main():
    try:
        channel = open_channel(PARAMS["channel"])
    except ChannelClosed:
        return
    try:
        hello = python_info()
        hello["type"] = "hello"
        threads = _snapshot()
        channel.send_all([hello] + threads + [{"type": "done", "threads": len(threads)}])
    except ChannelClosed:
        pass
    except Exception as error:
        try:
            channel.send({"type": "error", "message": "%s: %s" % (type(error).__name__, error)})
        except ChannelClosed:
            pass
    finally:
        channel.close()


_main()
