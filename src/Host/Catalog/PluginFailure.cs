using Host.Abstractions;
using Host.Output;

namespace Host.Catalog;

/// <summary>
/// A plugin that throws while it runs (anything but the errors a capability is meant to raise) is
/// reported with its name, where it was loaded from and what it threw, never as a host crash.
/// </summary>
internal static class PluginFailure
{
    public static async Task<int> GuardAsync(CatalogEntry entry, Func<Task<int>> run)
    {
        try
        {
            return await run().ConfigureAwait(false);
        }
        catch (Exception error) when (error is not (CapabilityException or OperationCanceledException) && !(error is IOException io && StandardOutput.IsClosedReader(io)))
        {
            throw new CapabilityException(ExitCodes.Failed,
                $"the plugin '{entry.Name}' ({entry.Source}) failed: {error.GetType().Name}: {error.Message}",
                "the target was detached and keeps running; --verbose shows the plugin's stack trace, for its author", error);
        }
    }
}
