using System.Text;
using System.Text.RegularExpressions;

namespace Host.Recipes.Lua;

/// <summary>
/// find_module(name), behind the sandbox's require: the source of a module, looked for in the
/// recipe's own folder and then the recipe folders only, never on a Lua search path.
/// </summary>
internal sealed partial class FindModuleFunction(RecipeHost host)
{
    /// <summary>The module's source and its chunk name.</summary>
    public int FindModule(KeraLua.Lua lua)
    {
        var name = LuaArguments.String(lua, 1, "require");
        if (!ModuleName().IsMatch(name))
            throw new RecipeApiException($"require: '{name}' is not a module name (letters, digits, _ and dots; modules are looked for in the recipe folders only)");
        var relative = name.Replace('.', '/') + ".lua";
        var folders = new[] { Path.GetDirectoryName(host.Recipe.Path)! }.Concat(host.Recipes.Folders).Distinct();
        foreach (var folder in folders)
        {
            var path = Path.Combine(folder, relative);
            if (!File.Exists(path))
                continue;
            lua.PushString(File.ReadAllText(path, Encoding.UTF8));
            lua.PushString("@" + relative);
            return 2;
        }
        throw new RecipeApiException($"module '{name}' not found: no {relative} in {string.Join(", ", folders)}");
    }

    [GeneratedRegex("^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$")]
    private static partial Regex ModuleName();
}
