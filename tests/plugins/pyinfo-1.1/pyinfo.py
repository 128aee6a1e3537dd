# The pyinfo payload: runs inside the target on Python 2.7 and 3.6+, on the host's agent thread.
# The host prepends its prelude, which provides PARAMS (this run's parameters, JSON data),
# open_channel(path) and python_info(). Protocol: hello, info, done (or error) as JSON lines.
import os
import sys
import threading

channel = open_channel(PARAMS["channel"])
try:
    hello = python_info()
    hello["type"] = "hello"
    channel.send(hello)
    try:
        info = {
            "version": sys.version.split()[0],
            "implementation": python_info()["implementation"],
            "executable": sys.executable,
            "argv": list(getattr(sys, "argv", [])),
            "cwd": os.getcwd(),
            "pid": os.getpid(),
            "threads": threading.active_count(),
            "modules": len(sys.modules),
            "platform": sys.platform,
        }
        if PARAMS["env"]:
            info["environment"] = dict(os.environ)
        channel.send({"type": "info", "info": info})
        channel.send({"type": "done"})
    except Exception as error:
        channel.send({"type": "error", "message": "%s: %s" % (type(error).__name__, error)})
except ChannelClosed:
    pass
finally:
    channel.close()
