-- exec: evaluate a Python expression in the target and print its repr
-- usage: host run exec -p PID 'EXPRESSION' [--limit CHARS]
-- The expression sees the names of the target's __main__ module (a copy: assignments made by the
-- expression do not stick), e.g. host run exec -p 1234 'len(cache)'. Its value is shown as a
-- length-bounded repr (--limit, default 2000 characters).
local expression = args[1] or args.expr
if not expression then
  error("give the Python expression to evaluate, e.g. host run exec -p PID 'len(cache)'", 0)
end
if not target then error("give the process with --pid PID", 0) end

local result = target:python([=[
import sys
main = sys.modules.get("__main__")
scope = dict(vars(main)) if main is not None else {}
value = eval(compile(PARAMS["expression"], "<expression>", "eval"), scope)
send({"type": type(value).__name__, "repr": safe_repr(value, PARAMS["limit"])})
]=], { expression = expression, limit = tonumber(args.limit) or 2000 })

print(result.repr)
log("(" .. result.type .. ")")
