namespace Host.Catalog;

/// <summary>
/// Where plugins are looked for, in order of precedence: plugins/ next to host,
/// ~/.local/share/host/plugins, each HOST_PLUGIN_PATH entry, then each --plugin-dir. A folder
/// named twice is searched once, at its first place.
/// </summary>
internal static class PluginFolders
{
    public static IReadOnlyList<ExtensionFolder> All(IEnumerable<string> pluginDirOptions)
    {
        var candidates = ExtensionFolders.Of("plugins", "plugins", "HOST_PLUGIN_PATH");
        foreach (var directory in pluginDirOptions)
            candidates.Add(new(Path.GetFullPath(directory), "--plugin-dir"));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var folders = new List<ExtensionFolder>();
        foreach (var folder in candidates)
        {
            if (seen.Add(folder.Path.TrimEnd('/')))
                folders.Add(folder);
        }
        return folders;
    }
}
