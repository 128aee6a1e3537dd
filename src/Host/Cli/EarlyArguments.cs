namespace Host.Cli;

/// <summary>
/// What has to be read from the command line before it is parsed, because the commands themselves
/// depend on it: extra plugin folders (--plugin-dir) and the word after `run` (a recipe path); and
/// the target's pid in `run NAME --pid N`, so that the attach can begin while the plugins load.
/// </summary>
internal sealed record EarlyArguments(IReadOnlyList<string> PluginDirectories, string? RunName, int? Pid = null)
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
        return new EarlyArguments(directories, runName, runName is null ? null : PidOf(words));
    }

    // -p N, --pid N or --pid=N, unless help is asked for; the parser still checks it properly later.
    private static int? PidOf(List<string> words)
    {
        string? value = null;
        for (var i = 2; i < words.Count; i++)
        {
            if (words[i] is "-h" or "--help" or "-?")
                return null;
            if (words[i] is "-p" or "--pid" && i + 1 < words.Count)
                value = words[++i];
            else if (words[i].StartsWith("--pid=", StringComparison.Ordinal))
                value = words[i]["--pid=".Length..];
        }
        return int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid) && pid > 0 ? pid : null;
    }
}
