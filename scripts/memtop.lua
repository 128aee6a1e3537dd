-- memtop: the source lines that allocated the most memory still in use, with tracemalloc
-- usage: host run memtop -p PID [--seconds S] [--top N] [--frames F]
-- If the target is not tracing allocations already, tracing is started, runs for S seconds
-- (default 5) and is stopped again: only memory allocated in that window, and still in use at its
-- end, is seen. If it was tracing already, a snapshot is taken at once and tracing is left on.
-- Shows the N (default 10) lines holding the most memory. Tracing slows allocation down while it
-- runs; if host is interrupted or killed, the target stops tracing by itself. Needs Python 3.4+.
if not target then error("give the process with --pid PID", 0) end
local seconds = tonumber(args.seconds) or 5

local result = target:python([=[
import sys
if sys.version_info < (3, 4):
    raise RuntimeError("tracemalloc is in the standard library from Python 3.4; this is Python %d.%d" % sys.version_info[:2])
import tracemalloc, linecache
started = not tracemalloc.is_tracing()
if started:
    tracemalloc.start(PARAMS["frames"])
try:
    if started:
        host_wait(PARAMS["seconds"])
    snapshot = tracemalloc.take_snapshot()
    current, peak = tracemalloc.get_traced_memory()
finally:
    if started:
        tracemalloc.stop()
# Leave out what this injection itself allocated (the agent's bootstrap and this code).
snapshot = snapshot.filter_traces([tracemalloc.Filter(False, name) for name in
                                   ("<string>", "<python>", tracemalloc.__file__, linecache.__file__)])
stats = snapshot.statistics("lineno")
top = []
for stat in stats[:PARAMS["top"]]:
    frame = stat.traceback[0]
    top.append([stat.size, stat.count, frame.filename, frame.lineno, linecache.getline(frame.filename, frame.lineno).strip()])
send({"started": started, "current": current, "peak": peak, "lines": len(stats), "top": top})
]=], { seconds = seconds, top = tonumber(args.top) or 10, frames = tonumber(args.frames) or 1 })

local function size(bytes)
  if bytes >= 1048576 then return string.format("%.1f MiB", bytes / 1048576) end
  if bytes >= 1024 then return string.format("%.1f KiB", bytes / 1024) end
  return bytes .. " B"
end

print(result.started
  and string.format("traced allocations for %g s (tracing stopped again): %s in use, peak %s", seconds, size(result.current), size(result.peak))
  or string.format("the target was already tracing (left on): %s in use, peak %s", size(result.current), size(result.peak)))
print(string.format("top %d of %d source lines by memory in use:", #result.top, result.lines))
for _, row in ipairs(result.top) do
  print(string.format("%10s %8d blocks  %s:%d  %s", size(row[1]), row[2], row[3], row[4], row[5]))
end
