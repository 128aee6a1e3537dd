namespace Host.Catalog;

/// <summary>
/// Where plugins are looked for, in order of precedence: plugins/ next to host,
/// ~/.local/share/host/plugins, each HOST_PLUGIN_PATH entry, then each --plugin-dir.
/// </summary>
internal static class PluginFolders
{
    public static IReadOnlyList<(string Path, string Origin)> All(IEnumerable<string> pluginDirOptions) =>
        [.. ExtensionFolders.Of("plugins", "plugins", "HOST_PLUGIN_PATH"), .. pluginDirOptions.Select(d => (Path.GetFullPath(d), "--plugin-dir"))];
}
