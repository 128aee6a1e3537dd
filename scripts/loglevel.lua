-- loglevel: show the target's loggers and their levels, or change one logger's level at run time
-- usage: host run loglevel -p PID [LOGGER [LEVEL]]
-- Without arguments, lists the root logger and every named logger with its own and effective
-- level. With LOGGER and LEVEL (DEBUG, INFO, WARNING, ERROR, CRITICAL, NOTSET or a number) sets it
-- and prints the change; use "root" for the root logger. The target's logging is never imported
-- by this recipe: a process that has not imported logging is told so.
if not target then error("give the process with --pid PID", 0) end
local logger, level = args[1], args[2]
if logger and not level then
  error("give the level too, e.g. host run loglevel -p PID " .. logger .. " DEBUG", 0)
end

local result = target:python([=[
import sys
logging = sys.modules.get("logging")
if logging is None:
    raise RuntimeError("the target has not imported logging")

def describe(name, logger):
    return [name, logging.getLevelName(logger.level), logging.getLevelName(logger.getEffectiveLevel()),
            len(logger.handlers)]

name = PARAMS["logger"]
if name:
    level = PARAMS["level"]
    if level.lstrip("-").isdigit():
        level = int(level)
    else:
        level = level.upper()
        if not isinstance(logging.getLevelName(level), int):
            raise ValueError("unknown level '%s': use DEBUG, INFO, WARNING, ERROR, CRITICAL, NOTSET or a number" % level)
    logger = logging.getLogger() if name == "root" else logging.getLogger(name)
    before = describe(name, logger)
    logger.setLevel(level)
    send({"before": before, "after": describe(name, logger)})
else:
    rows = [describe("root", logging.getLogger())]
    for key in sorted(logging.Logger.manager.loggerDict):
        logger = logging.Logger.manager.loggerDict[key]
        if isinstance(logger, logging.Logger):
            rows.append(describe(key, logger))
    send({"loggers": rows})
]=], { logger = logger or false, level = level or false })

if result.loggers then
  print(string.format("%-40s %-10s %-10s %s", "logger", "level", "effective", "handlers"))
  for _, row in ipairs(result.loggers) do
    print(string.format("%-40s %-10s %-10s %d", row[1], row[2], row[3], row[4]))
  end
else
  print(string.format("%s: level %s -> %s (effective %s -> %s)", result.after[1], result.before[2], result.after[2], result.before[3], result.after[3]))
end
