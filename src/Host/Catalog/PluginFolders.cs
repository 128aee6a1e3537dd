namespace Host.Catalog;

/// <summary>
/// Where plugins are looked for, in order of precedence: plugins/ next to host,
/// ~/.local/share/host/plugins, each HOST_PLUGIN_PATH entry, then each --plugin-dir. A folder
/// named twice is searched once, at its first place.
/// </summary>
internal static class PluginFolders
{
    public static IReadOnlyList<(string Path, string Origin)> All(IEnumerable<string> pluginDirOptions) =>
        [.. ExtensionFolders.Of("plugins", "plugins", "HOST_PLUGIN_PATH")
            .Concat(pluginDirOptions.Select(d => (Path: Path.GetFullPath(d), Origin: "--plugin-dir")))
            .DistinctBy(folder => folder.Path.TrimEnd('/'))];
}
