using System.Text.Json;
using Host.Abstractions;
using KeraLua;

namespace Host.Recipes.Lua;

/// <summary>
/// Puts C# functions into the `raw` table as Lua C functions with the convention sandbox.lua
/// expects: each returns true and its results, or false and a message. An error is never raised
/// from C#, because unwinding Lua (longjmp) through .NET frames is not safe; so every exception is
/// caught here and turned into its message.
/// </summary>
internal sealed class RawTable(RecipeHost host)
{
    // Lua holds only a pointer to each function; the delegates must live as long as the state.
    private readonly List<LuaFunction> _keepAlive = [];

    /// <summary>The last primitive that failed: its exit code and hint, if the recipe ends with its error.</summary>
    public CapabilityException? LastFailure { get; private set; }

    /// <summary>Sets the field <paramref name="name"/> of the table on top of the stack to <paramref name="body"/>.</summary>
    public void Add(KeraLua.Lua lua, string name, Func<KeraLua.Lua, int> body)
    {
        LuaFunction function = state => Invoke(state, name, body);
        _keepAlive.Add(function);
        lua.PushCFunction(function);
        lua.SetField(-2, name);
    }

    private int Invoke(IntPtr state, string name, Func<KeraLua.Lua, int> body)
    {
        var lua = KeraLua.Lua.FromIntPtr(state);
        var arguments = lua.GetTop();
        try
        {
            lua.CheckStack(8);
            var results = body(lua);
            lua.PushBoolean(true);
            lua.Insert(-(results + 1));
            return results + 1;
        }
        catch (Exception error)
        {
            lua.SetTop(arguments);
            lua.PushBoolean(false);
            lua.PushString(Describe(error));
            return 2;
        }
    }

    private string Describe(Exception error)
    {
        switch (error)
        {
            case CapabilityException failure:
                LastFailure = failure;
                return failure.Message;
            case OperationCanceledException when host.Stop.IsCancellationRequested:
                return "the recipe is being stopped (--timeout or Ctrl-C)";
            case RecipeApiException or JsonException:
                return error.Message;
            default:
                return $"{error.GetType().Name}: {error.Message}";
        }
    }
}
