using System.Text.Json;
using System.Threading.Channels;
using Host.Abstractions;

namespace Host.Plugins.Pdb;

/// <summary>
/// The target's messages, read in the background so that an answer to a completion request (Tab
/// at the prompt) is seen while the session itself waits for the user's line.
/// </summary>
internal sealed class TargetMessages(IChannel channel, TimeSpan openTimeout)
{
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private TaskCompletionSource<JsonElement>? _completions;

    public void Start() => _ = Task.Run(PumpAsync);

    /// <summary>Every message but completions; ends when the target closes the channel, or throws what reading threw.</summary>
    public IAsyncEnumerable<string> ReadAllAsync() => _lines.Reader.ReadAllAsync();

    /// <summary>Sends a completion request and waits (briefly) for the answer; null if none came.</summary>
    public async Task<JsonElement?> CompleteAsync(Func<Task> sendRequest, TimeSpan wait)
    {
        var answer = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _completions, answer);
        await sendRequest().ConfigureAwait(false);
        var first = await Task.WhenAny(answer.Task, Task.Delay(wait)).ConfigureAwait(false);
        return first == answer.Task ? answer.Task.Result : null;
    }

    private async Task PumpAsync()
    {
        try
        {
            await foreach (var line in channel.ReadLinesAsync(openTimeout, CancellationToken.None).ConfigureAwait(false))
            {
                using var document = JsonDocument.Parse(line);
                if (document.RootElement.GetProperty("type").GetString() == "completions")
                {
                    Interlocked.Exchange(ref _completions, null)?.TrySetResult(document.RootElement.Clone());
                    continue;
                }
                await _lines.Writer.WriteAsync(line).ConfigureAwait(false);
            }
            _lines.Writer.Complete();
        }
        catch (Exception error)
        {
            _lines.Writer.Complete(error);
        }
    }
}
