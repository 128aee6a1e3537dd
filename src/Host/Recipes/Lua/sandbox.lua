-- Builds the environment a recipe runs in. Called once by the host with `raw`, its table of
-- C functions: each returns true and its results, or false and a message, so that every error is
-- raised here, in Lua, with the recipe's own file and line (the host never unwinds Lua from C#).
-- The recipe sees only what is put into `sandbox`: no io, os.execute, debug, bytecode loading,
-- luanet/CLR access, or require outside the recipe folders.
local raw = ...
local real_load, select, error, setmetatable, tostring, type = load, select, error, setmetatable, tostring, type
local concat, pack, unpack = table.concat, table.pack, table.unpack

-- check(level, ok, ...): results on success, else an error `level` frames above check's caller.
local function check(level, ok, ...)
  if ok then return ... end
  error((...), level + 1)
end

local sandbox = {}
for _, name in ipairs { "assert", "error", "ipairs", "next", "pairs", "pcall", "select", "tonumber",
  "tostring", "type", "xpcall", "rawequal", "rawget", "rawlen", "rawset", "setmetatable", "getmetatable", "_VERSION" } do
  sandbox[name] = _G[name]
end

local function copy(library)
  local result = {}
  for key, value in pairs(library) do result[key] = value end
  return result
end
-- Every string shares the real string table through its metatable, so dump goes from there.
string.dump = nil
sandbox.string, sandbox.table, sandbox.math = copy(string), copy(table), copy(math)
sandbox.utf8, sandbox.coroutine = copy(utf8), copy(coroutine)
sandbox.os = { time = os.time, clock = os.clock, date = os.date, difftime = os.difftime }
sandbox._G = sandbox

sandbox.load = function(chunk, name, mode, env)
  if mode ~= nil and mode ~= "t" then
    error("a recipe may load Lua source only, not bytecode (mode must be \"t\")", 2)
  end
  return real_load(chunk, name, "t", env or sandbox)
end

local modules = {}
sandbox.require = function(name)
  if type(name) ~= "string" then error("require expects a module name", 2) end
  if modules[name] == nil then
    local source, chunkname = check(2, raw.find_module(name))
    local chunk, message = real_load(source, chunkname, "t", sandbox)
    if not chunk then error(message, 2) end
    local value = chunk(name)
    if value == nil then value = true end
    modules[name] = value
  end
  return modules[name]
end

local function joined(...)
  local parts = pack(...)
  for i = 1, parts.n do parts[i] = tostring(parts[i]) end
  return concat(parts, "\t", 1, parts.n)
end
sandbox.print = function(...) return check(1, raw.write(joined(...))) end
sandbox.log = function(...) return check(1, raw.log(joined(...))) end
sandbox.sleep = function(ms) return check(1, raw.sleep(ms)) end
sandbox.now = function() return check(1, raw.now()) end

local null = setmetatable({}, { __tostring = function() return "json.null" end, __newindex = function() error("json.null is read-only", 2) end })
raw.set_null(null)
sandbox.json = {
  encode = function(value) return check(1, raw.json_encode(value)) end,
  decode = function(text) return check(1, raw.json_decode(text)) end,
  null = null,
}

-- A channel the target writes lines to (target:fifo()).
local Channel = {}
Channel.__index = Channel
Channel.__tostring = function(self) return "fifo " .. self.path end
function Channel:lines()
  return function() return check(1, raw.next_line(self.id)) end
end
function Channel:read() return check(1, raw.next_line(self.id)) end
function Channel:close() return check(1, raw.close(self.id)) end

-- Python started with {wait = false}: job:wait() returns what it sent.
local Job = {}
Job.__index = Job
function Job:wait() return check(1, raw.job_wait(self.id)) end

local Target = {}
Target.__index = Target
Target.__tostring = function(self) return "target " .. self.pid .. " (Python " .. self.version .. ")" end
function Target:call(name, ...) return check(1, raw.call(self.id, name, ...)) end
function Target:python(code, params, options)
  local wait = not (type(options) == "table" and options.wait == false)
  if wait then return check(1, raw.python(self.id, code, params, true)) end
  return setmetatable({ id = check(2, raw.python(self.id, code, params, false)) }, Job)
end
function Target:fifo() return setmetatable(check(2, raw.fifo(self.id)), Channel) end
function Target:detach() return check(1, raw.detach(self.id)) end

local function target_of(info) return setmetatable(info, Target) end
sandbox.attach = function(pid) return target_of(check(2, raw.attach(pid))) end
sandbox.run = function(name, options) return check(1, raw.run(name, options)) end

sandbox.args = raw.args
sandbox.recipe = raw.recipe
if raw.target then sandbox.target = target_of(raw.target) end

-- The host calls this with the recipe's source; it returns the main function or nil and the syntax error.
return function(source, chunkname)
  return real_load(source, chunkname, "t", sandbox)
end
