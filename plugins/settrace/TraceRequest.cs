using System.Globalization;
using System.Text.Json;
using Host.Abstractions;

namespace Host.Plugins.Settrace;

/// <summary>What the user asked of `host run settrace`, checked, and turned into the payload's parameters.</summary>
internal sealed record TraceRequest(
    IReadOnlyList<string> Events,
    IReadOnlyList<string> Include,
    IReadOnlyList<string> Exclude,
    bool IncludeStdlib,
    string? Thread,
    int? MaxDepth,
    TimeSpan? Duration,
    bool Json,
    bool Summary,
    bool Lossless)
{
    private static IReadOnlyList<string> KnownEvents => TraceVocabulary.EventNames;

    public static TraceRequest From(ICapabilityArguments arguments)
    {
        var events = List(arguments.GetText("events") ?? "call");
        foreach (var name in events.Where(e => !KnownEvents.Contains(e)))
            throw new CapabilityException(ExitCodes.Usage, $"--events: '{name}' is not an event", "use call, return and exception, separated by commas");
        if (events.Count == 0)
            throw new CapabilityException(ExitCodes.Usage, "--events names no event", "use call, return and exception, separated by commas");
        var maxDepth = arguments.GetInteger("max-depth");
        if (maxDepth is < 0 or > 10000)
            throw new CapabilityException(ExitCodes.Usage, $"--max-depth must be between 0 and 10000, not {maxDepth}");
        return new TraceRequest(
            events,
            List(arguments.GetText("filter")),
            List(arguments.GetText("exclude")),
            arguments.GetFlag("include-stdlib"),
            arguments.GetText("thread") is { Length: > 0 } thread ? thread : null,
            (int?)maxDepth,
            ParseDuration(arguments.GetText("duration")),
            arguments.GetText("format") == "json",
            arguments.GetFlag("summary"),
            arguments.GetFlag("lossless"));
    }

    /// <summary>The payload's PARAMS: data only, never spliced into its source.</summary>
    public string ToParameters(string channel, string control) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["channel"] = channel,
        ["control"] = control,
        ["events"] = Events,
        ["include"] = Include,
        ["exclude"] = Exclude,
        ["include_stdlib"] = IncludeStdlib,
        ["thread"] = Thread,
        ["max_depth"] = MaxDepth,
        ["lossless"] = Lossless,
        ["vocabulary"] = TraceVocabulary.ForPayload(),
    }, TraceJson.Default.DictionaryStringObject);

    private static List<string> List(string? text) =>
        (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    private static TimeSpan? ParseDuration(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return null;
        var trimmed = text.EndsWith('s') ? text[..^1] : text;
        if (!double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds <= 0 || seconds > 86400 * 7)
            throw new CapabilityException(ExitCodes.Usage, $"--duration: '{text}' is not a number of seconds", "for example --duration 10 or --duration 0.5");
        return TimeSpan.FromSeconds(seconds);
    }
}
