using System.Text.Json;
using Host.Abstractions;

namespace Host.Recipes;

/// <summary>
/// Python code a recipe runs in the target (target:python): the payload is started, and its reply
/// channel is read from the start, so values never pile up in the FIFO while the recipe is busy.
/// </summary>
internal sealed class PythonJob : IAsyncDisposable
{
    private readonly IChannel _reply;
    private readonly CancellationTokenSource _stop;
    private readonly Task<IReadOnlyList<JsonElement>> _values;

    private PythonJob(IChannel reply, CancellationTokenSource stop, Task<IReadOnlyList<JsonElement>> values)
    {
        _reply = reply;
        _stop = stop;
        _values = values;
    }

    /// <summary>
    /// Starts the code and returns once it is running (its hello has come), so the session's payload
    /// files may be rewritten for the next one.
    /// </summary>
    /// <param name="idleBound">How long the code may go without sending anything; null: no bound (a background job).</param>
    public static async Task<PythonJob> StartAsync(ITarget target, string code, string filename, string parametersJson, TimeSpan openTimeout, TimeSpan? idleBound, CancellationToken cancellationToken)
    {
        var reply = await target.OpenChannelAsync("python", cancellationToken).ConfigureAwait(false);
        var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            var parameters = $"{{\"channel\":{JsonSerializer.Serialize(reply.PathInTarget)},\"code\":{JsonSerializer.Serialize(code)},\"filename\":{JsonSerializer.Serialize(filename)},\"params\":{parametersJson}}}";
            await target.RunPythonAsync(new PythonPayload("recipe python", Source.Value, parameters), cancellationToken).ConfigureAwait(false);
            var pid = target.Process.Pid;
            var stream = new PayloadMessages(reply, pid, "the Python code")
            {
                OnError = Failed,
                OnClosed = helloSeen => new CapabilityException(ExitCodes.Failed, helloSeen
                    ? $"process {pid} stopped running the Python code before it finished (did it exit?)"
                    : $"process {pid} closed the channel before running the Python code"),
            };
            var messages = stream.ReadAsync(openTimeout, stop.Token).GetAsyncEnumerator(stop.Token);
            await messages.MoveNextAsync().ConfigureAwait(false); // the hello (or the error that the channel closed)
            return new PythonJob(reply, stop, ReadAsync(messages, idleBound, stop, cancellationToken));
        }
        catch
        {
            await stop.CancelAsync().ConfigureAwait(false);
            stop.Dispose();
            await reply.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Everything the code sent with send(), once it has finished.</summary>
    public Task<IReadOnlyList<JsonElement>> WaitAsync() => _values;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _values.ConfigureAwait(false);
        }
        catch (Exception error) when (error is OperationCanceledException or CapabilityException)
        {
            // Given up on: the code finds its reader gone at its next send.
        }
        _stop.Dispose();
        await _reply.DisposeAsync().ConfigureAwait(false);
    }

    private static CapabilityException Failed(JsonElement error)
    {
        var where = error.TryGetProperty("line", out var number) && number.ValueKind == JsonValueKind.Number ? $" (line {number.GetInt32()} of the Python code)" : "";
        return new CapabilityException(ExitCodes.Failed, $"python: {error.GetProperty("message").GetString()}{where}");
    }

    // `messages` is past the hello message; it ends with "done", and throws for "error" or a closed channel.
    // The idle bound is a timer on the job's own token, which the reading already listens to.
    private static async Task<IReadOnlyList<JsonElement>> ReadAsync(IAsyncEnumerator<PayloadMessage> messages, TimeSpan? idleBound, CancellationTokenSource job, CancellationToken cancellationToken)
    {
        var values = new List<JsonElement>();
        await using (messages.ConfigureAwait(false))
        {
            while (true)
            {
                PayloadMessage message;
                try
                {
                    if (idleBound is { } bound)
                        job.CancelAfter(bound);
                    if (!await messages.MoveNextAsync().ConfigureAwait(false))
                        break;
                    job.CancelAfter(Timeout.InfiniteTimeSpan);
                    message = messages.Current;
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && idleBound is not null)
                {
                    throw new CapabilityException(ExitCodes.Timeout, $"the Python code sent nothing for {idleBound!.Value.TotalSeconds:0.#} s; the recipe stopped waiting for it (--timeout)",
                        "it keeps running in the target until it next calls send(); send values sooner, or pass a larger --timeout");
                }
                if (message.Type == "value")
                    values.Add(message.Body.GetProperty("value").Clone());
            }
        }
        return values;
    }

    private static readonly Lazy<string> Source = new(() => PayloadSource.FromResources(typeof(PythonJob).Assembly, "recipe_python.py"));
}
