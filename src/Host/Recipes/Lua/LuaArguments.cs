using KeraLua;

namespace Host.Recipes.Lua;

/// <summary>Reads the arguments of a recipe API call, with messages that name the function.</summary>
internal static class LuaArguments
{
    public static string String(KeraLua.Lua lua, int index, string function) =>
        lua.Type(index) is LuaType.String or LuaType.Number
            ? lua.ToString(index, false)
            : throw new RecipeApiException($"{function}: expected a string, got {lua.TypeName(lua.Type(index))}");

    public static long Integer(KeraLua.Lua lua, int index, string function) =>
        lua.Type(index) == LuaType.Number && lua.IsInteger(index)
            ? lua.ToInteger(index)
            : lua.Type(index) == LuaType.String && long.TryParse(lua.ToString(index, false), out var parsed)
                ? parsed
                : throw new RecipeApiException($"{function}: expected a whole number, got {Describe(lua, index)}");

    public static double Number(KeraLua.Lua lua, int index, string function) =>
        lua.Type(index) == LuaType.Number
            ? lua.ToNumber(index)
            : throw new RecipeApiException($"{function}: expected a number, got {Describe(lua, index)}");

    private static string Describe(KeraLua.Lua lua, int index) =>
        lua.Type(index) == LuaType.Number ? lua.ToNumber(index).ToString(System.Globalization.CultureInfo.InvariantCulture) : lua.TypeName(lua.Type(index));
}
