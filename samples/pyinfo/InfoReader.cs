using System.Text.Json;
using Host.Abstractions;

namespace PyInfo;

/// <summary>Reads the payload's messages: hello, then info, then done. The contract's reader handles hello, error and done.</summary>
internal static class InfoReader
{
    public static async Task<JsonElement> ReadAsync(IChannel channel, int pid, TimeSpan timeout, CancellationToken cancellationToken)
    {
        JsonElement? info = null;
        // The open is bounded by the channel itself; the rest by the same timeout.
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout * 2);
        var messages = new PayloadMessages(channel, pid, "pyinfo");
        try
        {
            await foreach (var message in messages.ReadAsync(timeout, bounded.Token))
            {
                if (message.Type == "info")
                    info = message.Body.GetProperty("info").Clone();
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CapabilityException(ExitCodes.Timeout, $"the target did not answer within {timeout.TotalSeconds:0.#} s", "try a larger --timeout");
        }
        return info ?? throw new CapabilityException(ExitCodes.Failed, "the payload finished without sending its answer");
    }
}
