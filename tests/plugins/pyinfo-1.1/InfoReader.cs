using System.Text.Json;
using Host.Abstractions;

namespace PyInfo;

/// <summary>Reads the payload's JSON lines: hello, then info, then done (or error).</summary>
internal static class InfoReader
{
    public static async Task<JsonElement> ReadAsync(IChannel channel, TimeSpan timeout, CancellationToken cancellationToken)
    {
        JsonElement? info = null;
        // The open is bounded by the channel itself; the rest by the same timeout.
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout * 2);
        try
        {
            await foreach (var line in channel.ReadLinesAsync(timeout, bounded.Token))
            {
                using var message = JsonDocument.Parse(line);
                var root = message.RootElement;
                switch (root.GetProperty("type").GetString())
                {
                    case "info":
                        info = root.GetProperty("info").Clone();
                        break;
                    case "error":
                        throw new CapabilityException(ExitCodes.Failed, $"pyinfo failed inside the target: {root.GetProperty("message").GetString()}");
                    case "done":
                        return info ?? throw new CapabilityException(ExitCodes.Failed, "the payload finished without sending its answer");
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CapabilityException(ExitCodes.Timeout, $"the target did not answer within {timeout.TotalSeconds:0.#} s", "try a larger --timeout");
        }
        throw new CapabilityException(ExitCodes.Failed, "the target closed the channel before answering (did it exit?)");
    }
}
