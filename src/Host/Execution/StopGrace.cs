namespace Host.Execution;

/// <summary>
/// Waiting for work that should stop on Ctrl-C or a timeout but may not be able to at once (a
/// capability winding down, Lua looping where it cannot yield): it gets a grace period, then is
/// left behind. What it used is bounded and never leaves the target stopped.
/// </summary>
internal static class StopGrace
{
    /// <summary>The work's result; OperationCanceledException when it is still running <paramref name="grace"/> after <paramref name="stop"/>.</summary>
    public static Task<T> WaitAsync<T>(Task<T> work, TimeSpan grace, CancellationToken stop) =>
        // Work done already (a dump read from outside runs synchronously) needs no state machine,
        // whose generic code .NET compiles at run time on every run.
        work.IsCompleted ? work : WaitLongerAsync(work, grace, stop);

    private static async Task<T> WaitLongerAsync<T>(Task<T> work, TimeSpan grace, CancellationToken stop)
    {
        try
        {
            return await work.WaitAsync(stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested && !work.IsCompleted)
        {
            try
            {
                return await work.WaitAsync(grace).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new OperationCanceledException(stop);
            }
        }
    }
}
