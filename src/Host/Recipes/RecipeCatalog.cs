using Host.Abstractions;
using Host.Catalog;

namespace Host.Recipes;

/// <summary>Every recipe in the recipe folders (the first folder wins a name), plus a .lua path given on the command line.</summary>
internal sealed class RecipeCatalog
{
    private RecipeCatalog(IReadOnlyList<Recipe> recipes, IReadOnlyList<string> folders, IReadOnlyList<string> warnings)
    {
        Recipes = recipes;
        Folders = folders;
        Warnings = warnings;
    }

    /// <summary>No recipes: for a command that runs a capability.</summary>
    public static RecipeCatalog None { get; } = new([], [], []);

    public IReadOnlyList<Recipe> Recipes { get; }

    /// <summary>The recipe folders that exist, searched by a recipe's require().</summary>
    public IReadOnlyList<string> Folders { get; }

    public IReadOnlyList<string> Warnings { get; }

    public static RecipeCatalog Discover(IEnumerable<ExtensionFolder> folders, ISet<string> takenNames, string? pathArgument)
    {
        var recipes = new List<Recipe>();
        var existing = new List<string>();
        var warnings = new List<string>();
        foreach (var (root, origin) in folders)
        {
            if (!Directory.Exists(root))
                continue;
            existing.Add(root);
            foreach (var file in Directory.GetFiles(root, "*.lua").Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileNameWithoutExtension(file);
                var earlier = recipes.FirstOrDefault(r => r.Name == name);
                if (earlier is not null || takenNames.Contains(name))
                {
                    warnings.Add($"recipe {file} is hidden by the {(earlier is null ? "plugin" : "recipe " + earlier.Path)} of the same name");
                    continue;
                }
                recipes.Add(Recipe.Read(name, file, origin));
            }
        }
        if (pathArgument is not null)
            recipes.Add(FromPath(pathArgument));
        return new RecipeCatalog(recipes, existing, warnings);
    }

    /// <summary>`host run ./my.lua`: a recipe given by its path.</summary>
    public static bool IsPath(string argument) =>
        argument.EndsWith(".lua", StringComparison.Ordinal) || argument.Contains('/', StringComparison.Ordinal);

    private static Recipe FromPath(string path)
    {
        if (!File.Exists(path))
            throw new CapabilityException(ExitCodes.Usage, $"there is no recipe file {path}", "give the path of a .lua file, or a name from host list");
        try
        {
            return Recipe.Read(path, Path.GetFullPath(path), "path");
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new CapabilityException(ExitCodes.Usage, $"cannot read the recipe {path}: {error.Message}");
        }
    }
}
