-- threads: every thread's name, daemon flag and what it is doing or waiting on right now
-- usage: host run threads -p PID
-- One line per thread, from a stack dump: ident, native id, name, daemon or main, and the innermost
-- Python frame (function, file:line and its source line), which for a blocked thread is the call
-- it waits in (time.sleep, a lock's acquire, a socket's recv, ...).
if not target then error("give the process with --pid PID", 0) end
local dump = run("stackdump")

local function where(thread)
  local frame = thread.frames[#thread.frames]
  if not frame then return "(no Python frames: outside Python code)" end
  local text = string.format("%s  %s:%s", frame["function"], frame.file, frame.line or "?")
  if frame.source and frame.source ~= "" then text = text .. "  `" .. frame.source .. "`" end
  return text
end

print(string.format("process %d, Python %s: %d thread(s)", dump.pid, dump.python, #dump.threads))
for _, thread in ipairs(dump.threads) do
  local kind = thread.main and "main" or (thread.daemon and "daemon" or "")
  print(string.format("%-16s %-8s %-20s %-6s %s", tostring(thread.ident), tostring(thread.native_id or "-"),
    thread.name or "?", kind, where(thread)))
end
