using System.CommandLine;

namespace Host.Cli;

/// <summary>The options every `host run NAME` command has, whatever the capability.</summary>
internal sealed class RunOptions
{
    public Option<int?> Pid { get; } = new("--pid", "-p")
    {
        Description = "The process id of the Python process to inspect (see: host ps)",
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var pid) && pid > 0)
                return pid;
            result.AddError($"'{text}' is not a process id: give a positive number (host ps lists the Python processes)");
            return null;
        },
    };

    public Option<string?> Name { get; } = new("--name", "-n") { Description = "Pick the process by name instead: a Python process whose command line contains this text (must be unique)" };

    private const double DefaultTimeout = 10;

    public Option<double> Timeout { get; } = new("--timeout") { Description = "Seconds any single wait may take (attach, waiting for the GIL, reading results)", DefaultValueFactory = _ => DefaultTimeout };

    public Option<string?> Output { get; } = new("--output", "-o") { Description = "Write the result to this file instead of standard output" };

    public Option<bool> Demo { get; } = new("--demo") { Description = "Start the bundled multi-threaded demo program, run on it, then stop it" };

    public IEnumerable<Option> All => [Pid, Name, Timeout, Output, Demo];

    public TimeSpan TimeoutOf(ParseResult parse)
    {
        var seconds = TokenValues.Number(parse, Timeout, DefaultTimeout);
        return seconds is > 0 and <= 3600
            ? TimeSpan.FromSeconds(seconds)
            : throw new Host.Abstractions.CapabilityException(Host.Abstractions.ExitCodes.Usage, $"--timeout must be between 0 and 3600 seconds, not {seconds}");
    }

    public int? PidOf(ParseResult parse) => TokenValues.Integer(parse, Pid);

    public bool DemoOf(ParseResult parse) => TokenValues.Flag(parse, Demo);

    /// <summary>True when --timeout was typed, not defaulted.</summary>
    public bool TimeoutGiven(ParseResult parse) => parse.GetResult(Timeout) is { Implicit: false };
}
