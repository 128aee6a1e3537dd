namespace Host.Cli;

/// <summary>
/// What has to be read from the command line before it is parsed, in one pass: the commands
/// themselves depend on the extra plugin folders (--plugin-dir) and on the word after `run` (a
/// capability's name or a recipe's path); whether the command will attach decides whether gdb is
/// started early; --verbose applies to errors raised before parsing.
/// </summary>
/// <param name="Attaches">`host run NAME` with a target (--pid, --name or --demo), not asking for help.</param>
/// <param name="Pid">The process id given with -p/--pid when the command attaches, so that it can be inspected while host starts.</param>
internal sealed record ArgumentPrescan(IReadOnlyList<string> PluginDirectories, string? RunName, bool Attaches, bool Verbose, int? Pid = null)
{
    public const string PluginDirOption = "--plugin-dir";
    public const string VerboseOption = "--verbose";

    private static readonly string[] TargetOptions = ["-p", "--pid", "-n", "--name", "--demo"];
    private static readonly string[] HelpOptions = ["-h", "--help", "-?"];

    public static ArgumentPrescan Of(IReadOnlyList<string> args)
    {
        var directories = new List<string>();
        var words = new List<string>();
        var verbose = false;
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == PluginDirOption && i + 1 < args.Count)
                directories.Add(args[++i]);
            else if (args[i].StartsWith(PluginDirOption + "=", StringComparison.Ordinal))
                directories.Add(args[i][(PluginDirOption.Length + 1)..]);
            else if (args[i] == VerboseOption)
                verbose = true;
            else
                words.Add(args[i]);
        }
        var runName = words.Count > 1 && words[0] == "run" ? words[1] : null;
        var attaches = runName is not null
            && words.Any(w => TargetOptions.Contains(w) || w.StartsWith("--pid=", StringComparison.Ordinal) || w.StartsWith("--name=", StringComparison.Ordinal))
            && !words.Any(w => HelpOptions.Contains(w));
        return new ArgumentPrescan(directories, runName, attaches, verbose, attaches ? PidOf(words) : null);
    }

    private static int? PidOf(List<string> words)
    {
        for (var i = 0; i < words.Count; i++)
        {
            var value = words[i] is "-p" or "--pid" && i + 1 < words.Count ? words[i + 1]
                : words[i].StartsWith("--pid=", StringComparison.Ordinal) ? words[i]["--pid=".Length..]
                : null;
            if (value is not null)
                return int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid) && pid > 0 ? pid : null;
        }
        return null;
    }
}
