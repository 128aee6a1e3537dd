using System.CommandLine;

namespace Host.Cli;

/// <summary>The --format text|json option shared by list and ps.</summary>
internal static class FormatOption
{
    public static Option<string> Create()
    {
        var option = new Option<string>("--format") { Description = "Output format", DefaultValueFactory = _ => "text" };
        option.AcceptOnlyFromAmong("text", "json");
        return option;
    }
}
