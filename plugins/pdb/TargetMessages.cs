using System.Text.Json;
using System.Threading.Channels;
using Host.Abstractions;

namespace Host.Plugins.Pdb;

/// <summary>
/// The target's messages, read in the background so that an answer to a completion request (Tab
/// at the prompt) is seen while the session itself waits for the user's line.
/// </summary>
internal sealed class TargetMessages(IChannel channel, int pid, TimeSpan openTimeout)
{
    private readonly Channel<JsonElement> _messages = Channel.CreateUnbounded<JsonElement>();
    private readonly PayloadMessages _stream = new(channel, pid, "pdb")
    {
        OnError = error => new CapabilityException(ExitCodes.Failed, $"pdb could not start in the target: {error.GetProperty("message").GetString()}",
            "the target was left as it was"),
        OnClosed = _ => new CapabilityException(ExitCodes.Failed, $"process {pid} closed the pdb channel without detaching (did it exit?)"),
    };
    private TaskCompletionSource<JsonElement>? _completions;

    public void Start() => _ = Task.Run(PumpAsync);

    /// <summary>Every message but completions, up to "done"; throws what reading threw (an "error" message among others).</summary>
    public IAsyncEnumerable<JsonElement> ReadAllAsync() => _messages.Reader.ReadAllAsync();

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
            await foreach (var (type, message) in _stream.ReadAsync(openTimeout, CancellationToken.None).ConfigureAwait(false))
            {
                if (type == "completions")
                {
                    Interlocked.Exchange(ref _completions, null)?.TrySetResult(message.Clone());
                    continue;
                }
                await _messages.Writer.WriteAsync(message.Clone()).ConfigureAwait(false);
            }
            _messages.Writer.Complete();
        }
        catch (Exception error)
        {
            _messages.Writer.Complete(error);
        }
    }
}
