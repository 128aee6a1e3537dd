using Host.Abstractions;
using KeraLua;

namespace Host.Recipes.Lua;

/// <summary>
/// attach, target:call and target:detach: getting hold of a target process, calling a C function
/// in it (arguments and result marshalled as NativeSignatures says), and letting it go.
/// </summary>
internal sealed class TargetFunctions(RecipeHost host, RecipeHandles handles)
{
    /// <summary>attach(pid): the new target's description.</summary>
    public int Attach(KeraLua.Lua lua)
    {
        var pid = LuaArguments.Integer(lua, 1, "attach(pid)");
        if (pid is <= 0 or > int.MaxValue)
            throw new CapabilityException(ExitCodes.Usage, $"attach: {pid} is not a process id");
        host.Progress.Report($"attaching to process {pid}");
        var target = Blocking.Wait(host.Injector.AttachAsync((int)pid, host.Stop));
        var handle = handles.AddTarget(target);
        RecipeTables.PushTargetInfo(lua, handle, target.Process);
        return 1;
    }

    /// <summary>call(target, name, args..., [{returns = "..."}]): the function's result, if it has one.</summary>
    public int Call(KeraLua.Lua lua)
    {
        var target = handles.Target(LuaArguments.Integer(lua, 1, "target"));
        var function = LuaArguments.String(lua, 2, "call(name, ...)");
        var last = lua.GetTop();
        var returns = NativeSignatures.ReturnTypeOf(function);
        if (last > 2 && lua.Type(last) == LuaType.Table)
        {
            lua.GetField(last, "returns");
            if (!lua.IsNil(-1))
                returns = NativeSignatures.Parse(LuaArguments.String(lua, -1, "returns"));
            lua.Pop(1);
            last--;
        }
        var arguments = new List<object>();
        for (var index = 3; index <= last; index++)
        {
            arguments.Add(lua.Type(index) switch
            {
                LuaType.Number when lua.IsInteger(index) => lua.ToInteger(index),
                LuaType.String => lua.ToString(index, false),
                LuaType.Boolean => lua.ToBoolean(index) ? 1L : 0L,
                _ => throw new RecipeApiException($"call: argument {index - 2} of {function} must be a whole number or a string, not a {lua.TypeName(lua.Type(index))}"),
            });
        }
        host.Progress.Report($"calling {function} in process {target.Process.Pid}");
        var value = Blocking.Wait(target.CallFunctionAsync(new NativeCall(function, returns, arguments), host.Stop));
        if (returns == NativeType.Void)
            return 0;
        if (value.Text is not null)
            lua.PushString(value.Text);
        else if (value.Number is { } number)
            lua.PushInteger(number);
        else
            lua.PushNil();
        return 1;
    }

    /// <summary>detach(target): also ends its Python jobs and closes its FIFOs.</summary>
    public int Detach(KeraLua.Lua lua)
    {
        handles.Detach(LuaArguments.Integer(lua, 1, "target"));
        return 0;
    }
}
