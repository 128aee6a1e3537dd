-- faulthandler: arm faulthandler on a signal, so later stack dumps need no attach: kill -USR1 PID
-- usage: host run faulthandler -p PID [--signal USR1] [--file PATH] [--off] [--force]
-- Registers faulthandler for the signal (default SIGUSR1) with all_threads=True: from then on
-- `kill -USR1 PID` makes the target write every thread's traceback to its stderr (or to --file,
-- opened for appending by the target), at once, even when it is stuck. --off removes it again.
-- A signal the program already handles itself is refused unless --force, which chains to the
-- program's handler. Needs Python 3.3 or later (faulthandler is in the standard library there).
if not target then error("give the process with --pid PID", 0) end
local signal_name = string.upper(args.signal or "USR1"):gsub("^SIG", "")

local result = target:python([=[
import sys
if sys.version_info < (3, 3):
    raise RuntimeError("faulthandler is in the standard library from Python 3.3; this is Python %d.%d" % sys.version_info[:2])
import faulthandler, os, signal
number = getattr(signal, "SIG" + PARAMS["signal"], None)
if number is None:
    raise ValueError("there is no signal SIG%s" % PARAMS["signal"])
if PARAMS["off"]:
    send({"removed": faulthandler.unregister(number), "signal": int(number)})
else:
    current = signal.getsignal(number)
    chain = False
    if current not in (signal.SIG_DFL, None):
        if not PARAMS["force"]:
            raise RuntimeError("the program handles SIG%s itself (%s); pick another --signal, or --force to chain to its handler" % (PARAMS["signal"], safe_repr(current)))
        chain = True
    if PARAMS["file"]:
        # faulthandler keeps a reference to the file: it stays open in the target.
        output = open(PARAMS["file"], "a")
        where = os.path.abspath(PARAMS["file"])
    else:
        output = sys.stderr
        try:
            where = os.readlink("/proc/self/fd/%d" % output.fileno())
        except (OSError, ValueError, AttributeError):
            where = "its standard error"
    faulthandler.register(number, file=output, all_threads=True, chain=chain)
    send({"signal": int(number), "where": where, "chain": chain})
]=], { signal = signal_name, file = args.file or false, off = args.off ~= nil, force = args.force ~= nil })

if args.off then
  print(result.removed and ("SIG" .. signal_name .. " no longer dumps stacks in process " .. target.pid)
    or ("SIG" .. signal_name .. " was not registered with faulthandler in process " .. target.pid))
else
  print(string.format("armed: kill -%s %d now writes every thread's traceback to %s%s",
    signal_name, target.pid, result.where, result.chain and " (then runs the program's own handler)" or ""))
  print(string.format("undo: host run faulthandler -p %d --signal %s --off", target.pid, signal_name))
end
