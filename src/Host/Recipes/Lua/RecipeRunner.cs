using Host.Abstractions;
using Host.Execution;

namespace Host.Recipes.Lua;

/// <summary>
/// Runs one recipe to the end: attaches the --pid target, runs the Lua on a thread of its own (its
/// API calls block), and whatever happens, detaches and removes everything the recipe opened.
/// </summary>
internal static class RecipeRunner
{
    public static async Task<int> RunAsync(RecipeHost host, RecipeArguments arguments, int? pid, TimeSpan? wholeRunBound, bool verbose, CancellationToken interrupt)
    {
        var source = ReadSource(host.Recipe);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(interrupt);
        host = host with { Stop = stop.Token };
        await using var api = new RecipeApi(host);
        long? mainTarget = null;
        if (pid is { } given)
        {
            host.Progress.Report($"attaching to process {given}");
            mainTarget = api.AddTarget(await host.Injector.AttachAsync(given, stop.Token).ConfigureAwait(false));
        }
        if (wholeRunBound is { } bound)
            stop.CancelAfter(bound);
        var running = RunOnOwnThreadAsync(() =>
        {
            using var engine = new LuaEngine(stop.Token);
            return engine.Run(source, host.Recipe.ChunkName, lua => api.PushRawTable(lua, arguments, mainTarget));
        });
        var outcome = await WithStopGraceAsync(running, stop.Token).ConfigureAwait(false);
        host.Progress.Report("");
        if (outcome.Succeeded)
            return ExitCodes.Ok;
        if (outcome.WasStopped || stop.IsCancellationRequested)
        {
            interrupt.ThrowIfCancellationRequested();
            throw new CapabilityException(ExitCodes.Timeout,
                $"the recipe {host.Recipe.Name} did not finish within {wholeRunBound?.TotalSeconds:0.#} s (--timeout) and was stopped",
                "everything it attached was detached and the target keeps running; give a larger --timeout if it needs longer");
        }
        if (verbose && outcome.Traceback is not null)
            Console.Error.WriteLine(outcome.Traceback);
        var failure = api.LastFailure;
        var fromPrimitive = failure is not null && outcome.Error!.EndsWith(failure.Message, StringComparison.Ordinal);
        throw new CapabilityException(fromPrimitive ? failure!.ExitCode : ExitCodes.Failed, outcome.Error!,
            fromPrimitive ? failure!.Hint : verbose || outcome.Traceback is null ? null : "run with --verbose for the Lua traceback");
    }

    private static string ReadSource(Recipe recipe)
    {
        try
        {
            return File.ReadAllText(recipe.Path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new CapabilityException(ExitCodes.Usage, $"cannot read the recipe {recipe.Path}: {error.Message}");
        }
    }

    // Lua code can only be stopped where it may yield: not inside a C function that calls back into
    // Lua (a table.sort comparator, a gsub callback). A recipe looping there is abandoned after a
    // grace period: its thread is a background thread, gone when host exits.
    private static async Task<LuaOutcome> WithStopGraceAsync(Task<LuaOutcome> running, CancellationToken stop)
    {
        try
        {
            return await StopGrace.WaitAsync(running, TimeSpan.FromSeconds(2), stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return LuaOutcome.Stopped();
        }
    }

    // A big stack: Lua's C recursion and the blocking API calls share it.
    private static Task<LuaOutcome> RunOnOwnThreadAsync(Func<LuaOutcome> run)
    {
        var completion = new TaskCompletionSource<LuaOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                completion.SetResult(run());
            }
            catch (Exception error)
            {
                completion.SetException(error);
            }
        }, maxStackSize: 16 * 1024 * 1024) { IsBackground = true, Name = "recipe" };
        thread.Start();
        return completion.Task;
    }
}
