using System.CommandLine;
using System.Globalization;

namespace Host.Cli;

/// <summary>
/// Option values read from the parsed tokens. System.CommandLine's GetValue&lt;T&gt; over a value
/// type (bool, double, int?) is precompiled only for reference types, so each one read that way
/// is compiled at run time, on every run; these reads are not. The parser has already checked and
/// reported every token, so here a token converts.
/// </summary>
internal static class TokenValues
{
    /// <summary>A flag: true when given (bare, or with a value that says true).</summary>
    public static bool Flag(ParseResult parse, Option<bool> option) =>
        parse.GetResult(option) is { Implicit: false } given
        && (given.Tokens.Count == 0 || bool.TryParse(given.Tokens[^1].Value, out var value) && value);

    /// <summary>A number, or <paramref name="fallback"/> when it was not given.</summary>
    public static double Number(ParseResult parse, Option<double> option, double fallback) =>
        parse.GetResult(option) is { Implicit: false, Tokens.Count: > 0 } given
        && double.TryParse(given.Tokens[^1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : fallback;

    /// <summary>A whole number, or null when it was not given.</summary>
    public static int? Integer(ParseResult parse, Option<int?> option) =>
        parse.GetResult(option) is { Implicit: false, Tokens.Count: > 0 } given
        && int.TryParse(given.Tokens[^1].Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;
}
