-- hot-lines: the source lines of one module where the time goes, from a short sampling profile
-- usage: host run hot-lines -p PID [--module NAME] [--seconds S] [--rate HZ] [--top N] [--idle]
-- Samples every thread's stack from outside for S seconds (default 5) at HZ samples a second
-- (default 200), nothing run in the target. For each stack, the innermost frame in the module
-- (NAME is a module, such as json.decoder, or any part of a file's path) is the line that module
-- is at: "total" is how often each line was, "own" how often it was running itself rather than
-- waiting on a call. Without --module, every stack's innermost line counts. Shows the N busiest
-- lines (default 15); threads asleep in a system call are left out unless --idle is given.
if not target then error("give the process with --pid PID", 0) end
local seconds = tonumber(args.seconds) or 5
local rate = tonumber(args.rate) or 200
local top = tonumber(args.top) or 15
local module = args.module

-- json.decoder -> json/decoder: matched against the file's path, as is any other text.
local function in_module(file)
  if not module then return true end
  local path = module:gsub("%.", "/")
  return file:find(path, 1, true) ~= nil or file:find(module, 1, true) ~= nil
end

local profile = target:sample { seconds = seconds, rate = rate, idle = args.idle == true or args.idle == "true" }

local lines, stacks = {}, 0
for _, stack in ipairs(profile.stacks) do
  stacks = stacks + stack.count
  for depth = #stack.frames, 1, -1 do
    local frame = stack.frames[depth]
    if in_module(frame.file) then
      local key = frame.file .. ":" .. tostring(frame.line or "?")
      local line = lines[key] or { file = frame.file, line = frame.line, name = frame["function"], total = 0, own = 0 }
      line.total = line.total + stack.count
      if depth == #stack.frames then line.own = line.own + stack.count end
      lines[key] = line
      break
    end
  end
end

local sorted = {}
for _, line in pairs(lines) do sorted[#sorted + 1] = line end
table.sort(sorted, function(a, b)
  if a.total ~= b.total then return a.total > b.total end
  return a.own > b.own
end)

print(string.format("process %d, Python %s: %d samples in %.1f s (%.0f Hz), %d thread-stacks counted, %d failed%s",
  target.pid, target.version, profile.samples, profile.seconds, profile.rate, stacks, profile.failed,
  profile.idle_left_out > 0 and string.format(", %d idle left out", profile.idle_left_out) or ""))
if #sorted == 0 then
  print(module and ("no sampled stack was in " .. module) or "no busy Python thread was sampled")
  return
end
print(module and ("the lines of " .. module .. " the threads were at:") or "the lines the threads were at:")
print(string.format("%8s %8s  %s", "total %", "own %", "line"))
for i = 1, math.min(top, #sorted) do
  local line = sorted[i]
  print(string.format("%8.1f %8.1f  %s:%s in %s", 100 * line.total / stacks, 100 * line.own / stacks,
    line.file, tostring(line.line or "?"), line.name))
end
