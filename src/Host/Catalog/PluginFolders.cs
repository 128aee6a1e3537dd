namespace Host.Catalog;

/// <summary>Where plugins are looked for, in order of precedence.</summary>
internal static class PluginFolders
{
    public static IReadOnlyList<(string Path, string Origin)> All()
    {
        var folders = new List<(string, string)> { (Path.Combine(AppContext.BaseDirectory, "plugins"), "built-in") };
        var dataHome = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        if (string.IsNullOrEmpty(dataHome))
            dataHome = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        folders.Add((Path.Combine(dataHome, "host", "plugins"), "user"));
        foreach (var entry in (Environment.GetEnvironmentVariable("HOST_PLUGIN_PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            folders.Add((entry, "HOST_PLUGIN_PATH"));
        return folders;
    }
}
