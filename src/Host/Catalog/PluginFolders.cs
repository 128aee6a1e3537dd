namespace Host.Catalog;

/// <summary>Where plugins are looked for: plugins/ next to host, ~/.local/share/host/plugins, HOST_PLUGIN_PATH.</summary>
internal static class PluginFolders
{
    public static IReadOnlyList<(string Path, string Origin)> All() => ExtensionFolders.Of("plugins", "plugins", "HOST_PLUGIN_PATH");
}
