using System.Text.Json;
using KeraLua;

namespace Host.Recipes.Lua;

/// <summary>
/// json.encode and json.decode, and the LuaJson every other function that passes JSON uses. It
/// exists once sandbox.lua has registered its json.null value (set_null), before any recipe runs.
/// </summary>
internal sealed class JsonFunctions
{
    private LuaJson? _json;

    public LuaJson Json => _json ?? throw new InvalidOperationException("sandbox.lua did not register _json.null");

    /// <summary>set_null(null): the table that stands for JSON null.</summary>
    public int SetNull(KeraLua.Lua lua)
    {
        lua.PushCopy(1);
        _json = new LuaJson(lua.Ref(LuaRegistry.Index));
        return 0;
    }

    /// <summary>json_encode(value).</summary>
    public int Encode(KeraLua.Lua lua)
    {
        lua.PushString(Json.Encode(lua, 1));
        return 1;
    }

    /// <summary>json_decode(text).</summary>
    public int Decode(KeraLua.Lua lua)
    {
        var text = LuaArguments.String(lua, 1, "json.decode");
        try
        {
            using var document = JsonDocument.Parse(text);
            Json.Push(lua, document.RootElement);
        }
        catch (JsonException error)
        {
            throw new RecipeApiException($"json.decode: not valid JSON: {error.Message}");
        }
        return 1;
    }
}
