using Host.Abstractions;
using Host.Catalog;
using Host.Output;

namespace Host.Execution;

/// <summary>
/// A plugin that throws while it runs (anything but the errors a capability is meant to raise) is
/// reported with its name, where it was loaded from and what it threw, never as a host crash; one
/// that ignores Ctrl-C is left behind after a grace period (the primitives it used are bounded and
/// never leave the target stopped).
/// </summary>
internal static class PluginFailure
{
    /// <param name="stopGrace">How long a plugin may take to wind down after Ctrl-C.</param>
    public static Task<int> GuardAsync(CatalogEntry entry, Func<Task<int>> run, TimeSpan stopGrace, CancellationToken cancellationToken)
    {
        Task<int> running;
        try
        {
            running = run();
        }
        catch (Exception error) when (IsPluginFault(error))
        {
            throw Fault(entry, error);
        }
        // A run that is over already needs no waiting (and no state machine compiled at run time).
        return running.IsCompletedSuccessfully ? running : AwaitAsync(entry, running, stopGrace, cancellationToken);
    }

    private static async Task<int> AwaitAsync(CatalogEntry entry, Task<int> running, TimeSpan stopGrace, CancellationToken cancellationToken)
    {
        try
        {
            // Most capabilities wind down on Ctrl-C (settrace prints its summary): let them.
            return await StopGrace.WaitAsync(running, stopGrace, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (IsPluginFault(error))
        {
            throw Fault(entry, error);
        }
    }

    private static bool IsPluginFault(Exception error) =>
        error is not (CapabilityException or OperationCanceledException) && !(error is IOException io && StandardOutput.IsClosedReader(io));

    private static CapabilityException Fault(CatalogEntry entry, Exception error) =>
        new(ExitCodes.Failed,
            $"the plugin '{entry.Name}' ({entry.Source}) failed: {error.GetType().Name}: {error.Message}",
            "the target was detached and keeps running; --verbose shows the plugin's stack trace, for its author", error);
}
