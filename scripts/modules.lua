-- modules: the modules the target has loaded, with their versions and files
-- usage: host run modules -p PID [--all] [--filter TEXT]
-- Top-level modules by default (--all adds submodules such as os.path); --filter keeps the names
-- that contain TEXT. The version is the module's __version__ (or VERSION/version) when it has one;
-- the file is where it was loaded from, or "built-in". Modules that only this recipe's own
-- injection imported are left out.
if not target then error("give the process with --pid PID", 0) end
local modules = target:python([=[
import sys
rows = []
for name, module in list(sys.modules.items()):
    if module is None or name not in TARGET_MODULES:
        continue
    if "." in name and not PARAMS["all"]:
        continue
    if PARAMS["filter"] and PARAMS["filter"] not in name:
        continue
    version = None
    for attribute in ("__version__", "VERSION", "version"):
        candidate = getattr(module, attribute, None)
        if isinstance(candidate, (str, int, float, tuple)) and not callable(candidate):
            version = ".".join(str(part) for part in candidate) if isinstance(candidate, tuple) else str(candidate)
            break
    rows.append([name, version, getattr(module, "__file__", None) or "built-in"])
rows.sort()
send(rows)
]=], { all = args.all ~= nil, filter = args.filter or false })

local width = 8
for _, row in ipairs(modules) do width = math.max(width, #row[1]) end
for _, row in ipairs(modules) do
  local version = row[2] ~= json.null and row[2] or ""
  print(string.format("%-" .. width .. "s  %-12s  %s", row[1], version, row[3]))
end
log(#modules .. " modules")
