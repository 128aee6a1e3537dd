using Host.Catalog;

namespace Host.Recipes;

/// <summary>Where recipes are looked for: scripts/ next to host, ~/.local/share/host/recipes, HOST_RECIPE_PATH.</summary>
internal static class RecipeFolders
{
    public static IReadOnlyList<ExtensionFolder> All() => ExtensionFolders.Of("scripts", "recipes", "HOST_RECIPE_PATH");
}
