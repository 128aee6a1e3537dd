using Host.Abstractions;
using Host.Recipes.Lua;

namespace Host.Recipes;

/// <summary>
/// What target:call() reads back: the functions of the C API known to return text are read as
/// strings, everything else as a C long, unless the recipe says `{returns = "string"}`.
/// </summary>
internal static class NativeSignatures
{
    private static readonly HashSet<string> ReturnText = new(StringComparer.Ordinal)
    {
        "Py_GetVersion", "Py_GetPlatform", "Py_GetCompiler", "Py_GetBuildInfo", "Py_GetCopyright",
        "getenv", "strerror",
    };

    public static NativeType ReturnTypeOf(string function) => ReturnText.Contains(function) ? NativeType.String : NativeType.Long;

    public static NativeType Parse(string name) => name switch
    {
        "string" => NativeType.String,
        "int" => NativeType.Int,
        "long" or "number" => NativeType.Long,
        "pointer" => NativeType.Pointer,
        "void" => NativeType.Void,
        _ => throw new RecipeApiException($"call: returns must be one of string, int, long, pointer, void, not '{name}'"),
    };
}
