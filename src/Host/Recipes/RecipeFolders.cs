namespace Host.Recipes;

/// <summary>Where recipes are looked for, in order of precedence.</summary>
internal static class RecipeFolders
{
    public static IReadOnlyList<(string Path, string Origin)> All()
    {
        var folders = new List<(string, string)> { (Path.Combine(AppContext.BaseDirectory, "scripts"), "built-in") };
        var dataHome = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        if (string.IsNullOrEmpty(dataHome))
            dataHome = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        folders.Add((Path.Combine(dataHome, "host", "recipes"), "user"));
        foreach (var entry in (Environment.GetEnvironmentVariable("HOST_RECIPE_PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            folders.Add((entry, "HOST_RECIPE_PATH"));
        return folders;
    }
}
