using System.Runtime.InteropServices;
using Host.Abstractions;

namespace Host.Plugins.Profile;

/// <summary>
/// Ctrl-C while the profile is being written: the first Ctrl-C ended the sampling and asked for
/// the profile, so another one means "stop now". The write is abandoned, and the run ends at once
/// with a message that the output is incomplete. Nothing is held in the target by then: every
/// thread was released when sampling ended.
/// </summary>
internal static class SecondInterrupt
{
    public static async Task WriteAsync(Action write, bool interruptedBefore)
    {
        using var abandon = new CancellationTokenSource();
        using var registration = PosixSignalRegistration.Create(PosixSignal.SIGINT, signal =>
        {
            signal.Cancel = true;
            abandon.Cancel();
        });
        if (interruptedBefore)
            Console.Error.WriteLine("profile: writing the profile (Ctrl-C again abandons it)");
        var writing = Task.Run(write, CancellationToken.None);
        try
        {
            await writing.WaitAsync(abandon.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (abandon.IsCancellationRequested && !writing.IsCompleted)
        {
            // The writer may still be busy with the output: it is left to fail once the output closes.
            _ = writing.ContinueWith(t => t.Exception, TaskScheduler.Default);
            throw new CapabilityException(ExitCodes.Interrupted, "interrupted while the profile was being written: it is incomplete",
                "the target was left as it was; profile again, and press Ctrl-C once to end sampling and keep the profile");
        }
    }
}
