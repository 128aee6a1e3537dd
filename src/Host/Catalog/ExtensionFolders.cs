namespace Host.Catalog;

/// <summary>
/// Where extensions of one kind (plugins, recipes) are looked for, in order of precedence: a folder
/// next to the host binary, the user's data folder (XDG), then each entry of an environment variable.
/// </summary>
internal static class ExtensionFolders
{
    public static List<ExtensionFolder> Of(string builtIn, string userFolder, string pathVariable)
    {
        var folders = new List<ExtensionFolder> { new(Path.Combine(AppContext.BaseDirectory, builtIn), "built-in") };
        var dataHome = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        if (string.IsNullOrEmpty(dataHome))
            dataHome = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        folders.Add(new(Path.Combine(dataHome, "host", userFolder), "user"));
        foreach (var entry in (Environment.GetEnvironmentVariable(pathVariable) ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            folders.Add(new(Path.GetFullPath(entry), pathVariable));
        return folders;
    }
}
