using System.CommandLine;
using Host.Abstractions;
using Host.Catalog;
using Host.Execution;
using Host.Injection.Gdb;
using Host.Output;
using Host.Recipes;

namespace Host.Cli;

/// <summary>Builds `host run NAME` for every capability in the catalog, with its own options.</summary>
internal static class RunCommandFactory
{
    public static Command Create(IEnumerable<CatalogEntry> capabilities, CapabilityCatalog catalog, RecipeCatalog recipes, Option<bool> verbose, GdbTransport? prestarted)
    {
        var run = new Command("run", "Run a capability or a Lua recipe against a Python process (host list shows them all)");
        foreach (var entry in capabilities)
            run.Subcommands.Add(CreateFor(entry, verbose, prestarted));
        foreach (var recipe in recipes.Recipes)
            run.Subcommands.Add(RecipeCommandFactory.Create(recipe, catalog, recipes, verbose, prestarted));
        return run;
    }

    private static Command CreateFor(CatalogEntry entry, Option<bool> verbose, GdbTransport? prestarted)
    {
        var capability = entry.Capability!;
        var command = new Command(capability.Name, capability.Description);
        var common = new RunOptions();
        foreach (var option in common.All)
            command.Options.Add(option);
        var own = new Dictionary<string, Option>(StringComparer.Ordinal);
        foreach (var descriptor in capability.Options)
        {
            var option = ToOption(descriptor);
            own[descriptor.Name] = option;
            command.Options.Add(option);
        }
        command.SetAction((parse, cancellationToken) => RunAsync(entry, parse, common, own, TokenValues.Flag(parse, verbose), prestarted, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CatalogEntry entry, ParseResult parse, RunOptions common, IReadOnlyDictionary<string, Option> own, bool verbose, GdbTransport? prestarted, CancellationToken cancellationToken)
    {
        var capability = entry.Capability!;
        var progress = new TerminalProgress(verbose);
        var timeout = common.TimeoutOf(parse);
        await using var demo = common.DemoOf(parse) ? await DemoTarget.StartAsync(timeout).ConfigureAwait(false) : null;
        var pid = demo?.Pid ?? ProcessSelector.Select(common.PidOf(parse), parse.GetValue(common.Name));
        var outputPath = parse.GetValue(common.Output);
        var output = OpenOutput(outputPath);
        try
        {
            var arguments = new CapabilityArguments(parse, own);
            var exitCode = await PluginFailure.GuardAsync(entry, () =>
            {
                var context = new CapabilityContext(pid, arguments, TargetAccessInjectors.For(capability, timeout, prestarted), output, progress, timeout) { Access = capability.Access, OutputPath = outputPath };
                return capability.RunAsync(context, cancellationToken);
            }, timeout + TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
            progress.Report("finished");
            return exitCode;
        }
        finally
        {
            progress.Clear();
            await output.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Standard output, or the file given with -o.</summary>
    internal static TextWriter OpenOutput(string? path)
    {
        if (path is null)
            return StandardOutput.Open();
        try
        {
            return new StreamWriter(path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new CapabilityException(ExitCodes.Usage, $"cannot write to {path}: {error.Message}");
        }
    }

    private static Option ToOption(CapabilityOption descriptor)
    {
        var aliases = descriptor.Alias is null ? Array.Empty<string>() : ["-" + descriptor.Alias];
        var name = "--" + descriptor.Name;
        switch (descriptor.Kind)
        {
            case OptionKind.Flag:
                return new Option<bool>(name, aliases) { Description = descriptor.Description };
            case OptionKind.Integer:
                var number = new Option<long?>(name, aliases) { Description = descriptor.Description };
                if (descriptor.DefaultValue is not null)
                    number.DefaultValueFactory = _ => long.Parse(descriptor.DefaultValue, System.Globalization.CultureInfo.InvariantCulture);
                return number;
            default:
                var text = new Option<string>(name, aliases) { Description = descriptor.Description };
                if (descriptor.DefaultValue is not null)
                    text.DefaultValueFactory = _ => descriptor.DefaultValue;
                if (descriptor.Kind == OptionKind.Choice && descriptor.Choices.Count > 0)
                    text.AcceptOnlyFromAmong([.. descriptor.Choices]);
                return text;
        }
    }
}
