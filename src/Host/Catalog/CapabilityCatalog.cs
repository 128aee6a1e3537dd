namespace Host.Catalog;

/// <summary>Every capability the host can run, from every plugin folder; the first folder wins a name.</summary>
internal sealed class CapabilityCatalog
{
    private CapabilityCatalog(IReadOnlyList<CatalogEntry> entries, IReadOnlyList<string> warnings)
    {
        Entries = entries;
        Warnings = warnings;
    }

    public IReadOnlyList<CatalogEntry> Entries { get; }

    public IReadOnlyList<string> Warnings { get; }

    public IEnumerable<CatalogEntry> Runnable => Entries.Where(e => !e.IsBroken);

    public static CapabilityCatalog Discover(IEnumerable<ExtensionFolder> folders)
    {
        var entries = new List<CatalogEntry>();
        var warnings = new List<string>();
        foreach (var (root, origin) in folders)
        {
            if (!Directory.Exists(root))
            {
                if (origin != "built-in" && origin != "user")
                    warnings.Add($"plugin folder {root} ({origin}) does not exist");
                continue;
            }
            // A folder given by the user may be one plugin's own folder rather than a folder of them.
            IEnumerable<string> pluginFolders = origin != "built-in" && Directory.GetFiles(root, "*.dll").Length > 0
                ? [root]
                : SortedSubfolders(root);
            foreach (var folder in pluginFolders)
            {
                foreach (var entry in PluginAssemblyLoader.Load(folder, origin))
                {
                    var earlier = entries.FirstOrDefault(e => !e.IsBroken && !entry.IsBroken && e.Name == entry.Name);
                    if (earlier is not null)
                    {
                        warnings.Add($"capability '{entry.Name}' from {entry.Source} is hidden by the one from {earlier.Source}");
                        continue;
                    }
                    entries.Add(entry);
                }
            }
        }
        return new CapabilityCatalog(entries, warnings);
    }

    // Array.Sort, not LINQ's Order: its sorter is compiled at run time on first use, on every run.
    private static string[] SortedSubfolders(string root)
    {
        var folders = Directory.GetDirectories(root);
        Array.Sort(folders, StringComparer.Ordinal);
        return folders;
    }
}
