using System.CommandLine;
using System.Runtime.InteropServices;
using Host.Abstractions;
using Host.Catalog;
using Host.Injection;
using Host.Injection.Gdb;
using Host.Recipes;

namespace Host.Cli;

/// <summary>The `host` command line: parse, run, and turn every failure into one error line and an exit code.</summary>
internal static class HostApplication
{
    public static async Task<int> RunAsync(string[] args)
    {
        var prescan = ArgumentPrescan.Of(args);
        var verbose = prescan.Verbose;
        using var interrupt = new CancellationTokenSource();
        // Ctrl-C and SIGTERM only request cancellation: the run unwinds through its cleanup
        // (detach, remove files) instead of the runtime exiting under our feet.
        // (A signal registration rather than Console.CancelKeyPress, which first sets up the whole
        // terminal layer: 10 ms of every run.)
        using var ctrlC = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; interrupt.Cancel(); });
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; interrupt.Cancel(); });
        GdbTransport? gdb = null;
        try
        {
            // The target is inspected while the plugins load (it only reads /proc and the target's memory).
            if (prescan.Pid is { } early)
                Reading.EarlyInspection.Start(early);
            var catalog = CapabilityCatalog.Discover(PluginFolders.All(prescan.PluginDirectories));
            // `host run NAME` of a capability needs no recipe (a capability hides a recipe of its
            // name) and no other command: building them all would cost every run milliseconds.
            var runName = prescan.RunName;
            var only = runName is null ? null : catalog.Runnable.FirstOrDefault(e => e.Name == runName);
            // gdb's start-up overlaps with ours; unused, it quits without touching anything.
            if (prescan.Attaches && (only is null || MayInject(only)))
                gdb = GdbPrestart.IfSoleTransport();
            var recipePath = runName is not null && RecipeCatalog.IsPath(runName) ? runName : null;
            var recipes = only is not null
                ? RecipeCatalog.None
                : RecipeCatalog.Discover(RecipeFolders.All(), catalog.Entries.Select(e => e.Name).ToHashSet(), recipePath);
            var root = BuildRoot(catalog, recipes, gdb, only);
            var parse = root.Parse(args);
            if (parse.Errors.Count > 0)
                return UsageError(parse, catalog, prescan.RunName);
            var configuration = new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false };
            return await parse.InvokeAsync(configuration, interrupt.Token).ConfigureAwait(false);
        }
        catch (CapabilityException error)
        {
            return ErrorReporter.Report(error, verbose);
        }
        catch (IOException error) when (Output.StandardOutput.IsClosedReader(error))
        {
            // `host ... | head`: the reader has all it wanted; like any Unix tool, end quietly.
            return ExitCodes.Ok;
        }
        catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
        {
            Console.Error.WriteLine("host: interrupted; the target was detached and keeps running");
            return ExitCodes.Interrupted;
        }
        catch (Exception error)
        {
            return ErrorReporter.ReportUnexpected(error, verbose);
        }
        finally
        {
            if (gdb is not null)
                await gdb.DisposeAsync().ConfigureAwait(false);
        }
    }

    // A plugin whose Access throws is reported when it runs, by the guard around it.
    private static bool MayInject(CatalogEntry entry)
    {
        try
        {
            return entry.Capability!.Access == TargetAccess.Inject;
        }
        catch (Exception)
        {
            return true;
        }
    }

    private static RootCommand BuildRoot(CapabilityCatalog catalog, RecipeCatalog recipes, GdbTransport? gdb, CatalogEntry? only)
    {
        var root = new RootCommand("host: attach to a running CPython process and look inside it, without restarting it.");
        var verbose = new Option<bool>(ArgumentPrescan.VerboseOption) { Description = "Show details (stack traces of errors)", Recursive = true };
        root.Options.Add(verbose);
        root.Options.Add(new Option<string[]>(ArgumentPrescan.PluginDirOption)
        {
            Description = "Also load plugins from this folder (after the built-in, user and HOST_PLUGIN_PATH folders); may be repeated",
            Recursive = true,
        });
        root.Subcommands.Add(RunCommandFactory.Create(only is null ? catalog.Runnable : [only], catalog, recipes, verbose, gdb));
        if (only is not null)
            return root;
        root.Subcommands.Add(ListCommand.Create(catalog, recipes));
        root.Subcommands.Add(PsCommand.Create());
        root.SetAction(parse => new System.CommandLine.Help.HelpAction().Invoke(parse));
        return root;
    }

    private static int UsageError(ParseResult parse, CapabilityCatalog catalog, string? name)
    {
        if (name is not null && parse.CommandResult.Command.Name == "run" && !name.StartsWith('-'))
        {
            var broken = catalog.Entries.FirstOrDefault(e => e.IsBroken && e.Name == name);
            return ErrorReporter.Report(broken is not null
                ? new CapabilityException(ExitCodes.Usage, $"capability '{name}' could not be loaded from {broken.Source}: {broken.Problem}", "fix or remove that plugin; host list shows the others")
                : new CapabilityException(ExitCodes.Usage, $"there is no capability or recipe named '{name}'", "host list shows what you can run; a recipe file can be run by its path, e.g. host run ./my-recipe.lua"), verbose: false);
        }
        foreach (var error in parse.Errors)
            Console.Error.WriteLine($"error: {error.Message}");
        var names = new List<string>();
        for (var result = parse.CommandResult; result is not null && result.Command is not RootCommand; result = result.Parent as System.CommandLine.Parsing.CommandResult)
            names.Insert(0, result.Command.Name);
        Console.Error.WriteLine($"hint: see: host {string.Join("", names.Select(n => n + " "))}--help");
        return ExitCodes.Usage;
    }
}
