using System.CommandLine;
using Host.Abstractions;

namespace Host.Cli;

/// <summary>Reads a capability's own options from the parse result, by their long names.</summary>
internal sealed class CapabilityArguments(ParseResult parse, IReadOnlyDictionary<string, Option> options) : ICapabilityArguments
{
    public bool GetFlag(string name) => Find(name) is Option<bool> flag && TokenValues.Flag(parse, flag);

    public string? GetText(string name) => Find(name) switch
    {
        Option<string> text => parse.GetValue(text),
        Option<long?> number => parse.GetValue(number)?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Option<bool> flag => TokenValues.Flag(parse, flag) ? "true" : null,
        _ => null,
    };

    public long? GetInteger(string name) => Find(name) switch
    {
        Option<long?> number => parse.GetValue(number),
        Option<string> text when long.TryParse(parse.GetValue(text), out var value) => value,
        _ => null,
    };

    private Option? Find(string name) =>
        options.TryGetValue(name, out var option) ? option : throw new ArgumentException($"the capability has no option named '{name}'", nameof(name));
}
