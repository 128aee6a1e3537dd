using System.Text.Json;
using Host.Abstractions;

namespace Host.Recipes;

/// <summary>
/// Python code a recipe runs in the target (target:python): the payload is started, and its reply
/// channel is read from the start, so values never pile up in the FIFO while the recipe is busy.
/// </summary>
internal sealed class PythonJob : IAsyncDisposable
{
    private readonly IChannel reply;
    private readonly CancellationTokenSource stop;
    private readonly Task<IReadOnlyList<JsonElement>> values;

    private PythonJob(IChannel reply, CancellationTokenSource stop, Task<IReadOnlyList<JsonElement>> values)
    {
        this.reply = reply;
        this.stop = stop;
        this.values = values;
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
            var lines = reply.ReadLinesAsync(openTimeout, stop.Token).GetAsyncEnumerator(stop.Token);
            if (!await lines.MoveNextAsync().ConfigureAwait(false))
                throw new CapabilityException(ExitCodes.Failed, $"process {target.Process.Pid} closed the channel before running the Python code");
            return new PythonJob(reply, stop, ReadAsync(lines, target.Process.Pid, idleBound, stop, cancellationToken));
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
    public Task<IReadOnlyList<JsonElement>> WaitAsync() => values;

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await values.ConfigureAwait(false);
        }
        catch (Exception error) when (error is OperationCanceledException or CapabilityException)
        {
            // Given up on: the code finds its reader gone at its next send.
        }
        stop.Dispose();
        await reply.DisposeAsync().ConfigureAwait(false);
    }

    // `lines` is past the hello message.
    // The idle bound is a timer on the job's own token, which the reading already listens to.
    private static async Task<IReadOnlyList<JsonElement>> ReadAsync(IAsyncEnumerator<string> lines, int pid, TimeSpan? idleBound, CancellationTokenSource job, CancellationToken cancellationToken)
    {
        var values = new List<JsonElement>();
        await using (lines.ConfigureAwait(false))
        {
            while (true)
            {
                string line;
                try
                {
                    if (idleBound is { } bound)
                        job.CancelAfter(bound);
                    if (!await lines.MoveNextAsync().ConfigureAwait(false))
                        break;
                    job.CancelAfter(Timeout.InfiniteTimeSpan);
                    line = lines.Current;
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && idleBound is not null)
                {
                    throw new CapabilityException(ExitCodes.Timeout, $"the Python code sent nothing for {idleBound!.Value.TotalSeconds:0.#} s; the recipe stopped waiting for it (--timeout)",
                        "it keeps running in the target until it next calls send(); send values sooner, or pass a larger --timeout");
                }
                using var message = JsonDocument.Parse(line);
                var root = message.RootElement;
                switch (root.GetProperty("type").GetString())
                {
                    case "value":
                        values.Add(root.GetProperty("value").Clone());
                        break;
                    case "error":
                        var where = root.TryGetProperty("line", out var number) && number.ValueKind == JsonValueKind.Number ? $" (line {number.GetInt32()} of the Python code)" : "";
                        throw new CapabilityException(ExitCodes.Failed, $"python: {root.GetProperty("message").GetString()}{where}");
                    case "done":
                        return values;
                }
            }
        }
        throw new CapabilityException(ExitCodes.Failed, $"process {pid} stopped running the Python code before it finished (did it exit?)");
    }

    private static readonly Lazy<string> Source = new(() =>
    {
        using var stream = typeof(PythonJob).Assembly.GetManifestResourceStream("recipe_python.py")!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });
}
