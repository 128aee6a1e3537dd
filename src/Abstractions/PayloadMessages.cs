using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Host.Abstractions;

/// <summary>One JSON message of a payload; <see cref="Body"/> is valid until the next one is read.</summary>
/// <remarks>A class: generic code over reference types is compiled ahead of time, over a struct it is compiled at run time, which a one-shot tool pays on every run.</remarks>
/// <param name="Body">The whole message.</param>
/// <param name="Type">The message's "type": "hello", "done", or one of the payload's own.</param>
public sealed record PayloadMessage(string Type, JsonElement Body);

/// <summary>
/// Reads a payload's message stream (contract 1.2): one JSON object per line, each with a "type".
/// The prelude sends "hello" first; the payload then sends its own messages and ends with "done",
/// or with "error" and a "message". This reader yields every message up to and including "done",
/// turns "error" into a <see cref="CapabilityException"/>, and a channel closed before "done" into
/// another, so a capability handles only its own messages.
/// </summary>
/// <param name="channel">The payload's channel.</param>
/// <param name="pid">The target, for messages.</param>
/// <param name="failure">What failed, for the default error message: "the stack dump" gives "the stack dump failed inside the target: …".</param>
public sealed class PayloadMessages(IChannel channel, int pid, string failure)
{
    /// <summary>Builds the error for an "error" message; by default "<c>failure</c> failed inside the target: message".</summary>
    public Func<JsonElement, CapabilityException>? OnError { get; init; }

    /// <summary>Builds the error for a channel closed before "done"; given whether the hello had come.</summary>
    public Func<bool, CapabilityException>? OnClosed { get; init; }

    /// <summary>The hello message, once it has come.</summary>
    public JsonElement? Hello { get; private set; }

    /// <summary>Every message up to and including "done". The open of the channel is bounded by <paramref name="openTimeout"/>.</summary>
    public async IAsyncEnumerable<PayloadMessage> ReadAsync(TimeSpan openTimeout, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var line in channel.ReadLinesAsync(openTimeout, cancellationToken).ConfigureAwait(false))
        {
            using var document = JsonDocument.Parse(line);
            var message = document.RootElement;
            var type = message.TryGetProperty("type", out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : "";
            if (type == "error")
                throw OnError?.Invoke(message) ?? DefaultError(message);
            if (type == "hello")
                Hello = message.Clone();
            yield return new PayloadMessage(type, message);
            if (type == "done")
                yield break;
        }
        throw OnClosed?.Invoke(Hello is not null) ?? DefaultClosed(Hello is not null);
    }

    private CapabilityException DefaultError(JsonElement message) =>
        new(ExitCodes.Failed, $"{failure} failed inside the target: {(message.TryGetProperty("message", out var text) ? text.GetString() : "no reason given")}");

    private CapabilityException DefaultClosed(bool helloSeen) =>
        new(ExitCodes.Failed, helloSeen
            ? $"process {pid} stopped sending before {failure} was complete (did it exit?)"
            : $"process {pid} closed the channel before running the payload");
}
