using System.CommandLine;
using Host.Abstractions;
using Host.Catalog;
using Host.Injection;
using Host.Injection.Gdb;
using Host.Output;
using Host.Recipes;
using Host.Recipes.Lua;

namespace Host.Cli;

/// <summary>
/// Builds `host run RECIPE` for a Lua recipe: the common options (--pid is optional: a recipe may
/// attach by itself), and every other word is the recipe's own argument.
/// </summary>
internal static class RecipeCommandFactory
{
    public static Command Create(Recipe recipe, CapabilityCatalog capabilities, RecipeCatalog recipes, Option<bool> verbose, GdbTransport? prestarted)
    {
        var command = new Command(recipe.Name, $"Lua recipe ({recipe.Origin}: {recipe.Path}). {recipe.Help}") { TreatUnmatchedTokensAsErrors = false };
        var common = new RunOptions();
        foreach (var option in common.All)
            command.Options.Add(option);
        command.SetAction((parse, cancellationToken) => RunAsync(recipe, capabilities, recipes, parse, common, TokenValues.Flag(parse, verbose), prestarted, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(Recipe recipe, CapabilityCatalog capabilities, RecipeCatalog recipes, ParseResult parse, RunOptions common, bool verbose, GdbTransport? prestarted, CancellationToken cancellationToken)
    {
        var progress = new TerminalProgress(verbose);
        var timeout = common.TimeoutOf(parse);
        await using var demo = common.DemoOf(parse) ? await DemoTarget.StartAsync(timeout).ConfigureAwait(false) : null;
        var pidOption = common.PidOf(parse);
        var name = parse.GetValue(common.Name);
        int? pid = demo?.Pid ?? (pidOption is null && name is null ? null : ProcessSelector.Select(pidOption, name));
        var output = RunCommandFactory.OpenOutput(parse.GetValue(common.Output));
        try
        {
            var host = new RecipeHost(recipe, recipes, capabilities, new Injector(timeout, prestarted: prestarted), output, progress, timeout, cancellationToken);
            // --timeout bounds every wait; typed, it also bounds the whole recipe (a loop, a long watch).
            var wholeRun = common.TimeoutGiven(parse) ? timeout : (TimeSpan?)null;
            return await RecipeRunner.RunAsync(host, RecipeArguments.Parse(parse.UnmatchedTokens), pid, wholeRun, verbose, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            progress.Clear();
            await output.DisposeAsync().ConfigureAwait(false);
        }
    }
}
