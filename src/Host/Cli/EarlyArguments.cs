namespace Host.Cli;

/// <summary>
/// What has to be read from the command line before it is parsed, because the commands themselves
/// depend on it: extra plugin folders (--plugin-dir) and the word after `run` (a recipe path).
/// </summary>
internal sealed record EarlyArguments(IReadOnlyList<string> PluginDirectories, string? RunName)
{
    public const string PluginDirOption = "--plugin-dir";

    public static EarlyArguments Of(IReadOnlyList<string> args)
    {
        var directories = new List<string>();
        var words = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == PluginDirOption && i + 1 < args.Count)
                directories.Add(args[++i]);
            else if (args[i].StartsWith(PluginDirOption + "=", StringComparison.Ordinal))
                directories.Add(args[i][(PluginDirOption.Length + 1)..]);
            else if (args[i] != "--verbose")
                words.Add(args[i]);
        }
        var runName = words.Count > 1 && words[0] == "run" ? words[1] : null;
        return new EarlyArguments(directories, runName);
    }
}
