-- gc-stats: garbage collector counts and thresholds, and the most common object types
-- usage: host run gc-stats -p PID [--top N] [--collect]
-- Shows whether the collector is enabled, each generation's count and threshold, per-generation
-- totals (Python 3.4+), gc.garbage, and the N (default 15) types with the most objects the
-- collector tracks. --collect runs a full collection first and says how many objects it freed.
if not target then error("give the process with --pid PID", 0) end
local stats = target:python([=[
import gc
result = {"enabled": gc.isenabled(), "count": list(gc.get_count()),
          "threshold": list(gc.get_threshold()), "garbage": len(gc.garbage)}
if PARAMS["collect"]:
    result["collected"] = gc.collect()
if hasattr(gc, "get_stats"):
    result["generations"] = gc.get_stats()
counts = {}
objects = gc.get_objects()
for obj in objects:
    kind = type(obj)
    counts[kind] = counts.get(kind, 0) + 1
result["objects"] = len(objects)
del objects
top = sorted(counts.items(), key=lambda item: -item[1])[:PARAMS["top"]]
result["top"] = [[getattr(kind, "__module__", "?") + "." + getattr(kind, "__name__", "?"), n] for kind, n in top]
send(result)
]=], { top = tonumber(args.top) or 15, collect = args.collect ~= nil })

print(string.format("collector %s; gc.garbage holds %d object(s)", stats.enabled and "enabled" or "DISABLED", stats.garbage))
if stats.collected then print(string.format("gc.collect() freed %d object(s)", stats.collected)) end
for generation = 1, #stats.count do
  local line = string.format("generation %d: count %d, threshold %d", generation - 1, stats.count[generation], stats.threshold[generation])
  local totals = stats.generations and stats.generations[generation]
  if totals then
    line = line .. string.format("; %d collections, %d collected, %d uncollectable", totals.collections, totals.collected, totals.uncollectable)
  end
  print(line)
end
print(string.format("%d objects tracked by the collector; most common types:", stats.objects))
for _, row in ipairs(stats.top) do
  print(string.format("  %10d  %s", row[2], row[1]))
end
