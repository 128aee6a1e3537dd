-- Builds the environment a recipe runs in. Called once by the host with `raw`, its table of
-- C functions: each returns true and its results, or false and a message, so that every error is
-- raised here, in Lua, with the recipe's own file and line (the host never unwinds Lua from C#).
-- The recipe sees only what is put into `sandbox`: no io, os.execute, debug, bytecode loading,
-- luanet/CLR access, or require outside the recipe folders.
local raw = ...
local real_load, select, error, setmetatable, tostring, type = load, select, error, setmetatable, tostring, type
local concat, pack, unpack = table.concat, table.pack, table.unpack

local getinfo = debug.getinfo

-- An API error is blamed on the innermost frame that is the recipe's own code (not this file, not
-- a C function), found on the stack rather than by a fixed level, so that tail calls do not move it.
local function raise(message)
  local level = 2
  while true do
    local info = getinfo(level, "Sl")
    if not info then break end
    if info.source ~= "=sandbox" and info.what ~= "C" and info.currentline > 0 then
      error(info.short_src .. ":" .. info.currentline .. ": " .. message, 0)
    end
    level = level + 1
  end
  error(message, 0)
end

-- check(ok, ...): the results of a C function, or its message raised as the recipe's error.
local function check(ok, ...)
  if ok then return ... end
  raise((...))
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
    raise("a recipe may load Lua source only, not bytecode (mode must be \"t\")")
  end
  return real_load(chunk, name, "t", env or sandbox)
end

local modules = {}
sandbox.require = function(name)
  if type(name) ~= "string" then raise("require expects a module name") end
  if modules[name] == nil then
    local source, chunkname = check(raw.find_module(name))
    local chunk, message = real_load(source, chunkname, "t", sandbox)
    if not chunk then raise(message) end
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
sandbox.print = function(...) return check(raw.write(joined(...))) end
sandbox.log = function(...) return check(raw.log(joined(...))) end
sandbox.sleep = function(ms) return check(raw.sleep(ms)) end
sandbox.now = function() return check(raw.now()) end

local null = setmetatable({}, { __tostring = function() return "json.null" end, __newindex = function() error("json.null is read-only", 2) end })
raw.set_null(null)
sandbox.json = {
  encode = function(value) return check(raw.json_encode(value)) end,
  decode = function(text) return check(raw.json_decode(text)) end,
  null = null,
}

-- A channel the target writes lines to (target:fifo()).
local Channel = {}
Channel.__index = Channel
Channel.__tostring = function(self) return "fifo " .. self.path end
function Channel:lines()
  return function() return check(raw.next_line(self.id)) end
end
function Channel:read() return check(raw.next_line(self.id)) end
function Channel:close() return check(raw.close(self.id)) end

-- Python started with {wait = false}: job:wait() returns what it sent.
local Job = {}
Job.__index = Job
function Job:wait() return check(raw.job_wait(self.id)) end

local Target = {}
Target.__index = Target
Target.__tostring = function(self) return "target " .. self.pid .. " (Python " .. self.version .. ")" end
function Target:call(name, ...) return check(raw.call(self.id, name, ...)) end
function Target:python(code, params, options)
  local wait = not (type(options) == "table" and options.wait == false)
  if wait then return check(raw.python(self.id, code, params, true)) end
  return setmetatable({ id = check(raw.python(self.id, code, params, false)) }, Job)
end
function Target:fifo() return setmetatable(check(raw.fifo(self.id)), Channel) end
function Target:detach() return check(raw.detach(self.id)) end
-- Every thread's stack read from the target's memory from outside: works while the GIL is held.
function Target:threads(options) return check(raw.threads(self.id, options)) end
-- A short sampling profile read from outside: stacks and their counts, for a view of the recipe's own.
function Target:sample(options) return check(raw.sample(self.id, options)) end

local function target_of(info) return setmetatable(info, Target) end
sandbox.attach = function(pid) return target_of(check(raw.attach(pid))) end
sandbox.run = function(name, options) return check(raw.run(name, options)) end

sandbox.args = raw.args
sandbox.recipe = raw.recipe
if raw.target then sandbox.target = target_of(raw.target) end

-- The host calls this with the recipe's source; it returns the main function or nil and the syntax error.
return function(source, chunkname)
  return real_load(source, chunkname, "t", sandbox)
end
