using System.Text.Json;
using Host.Abstractions;

namespace Host.Plugins.Pdb;

/// <summary>
/// One pdb session: starts the payload, shows pdb's output, answers each prompt with the next
/// command, and turns Ctrl-C into "break in" (while the thread runs) or "detach" (while it is
/// outside Python). The session ends when the target says it has detached.
/// </summary>
internal sealed class PdbSession(ICapabilityContext context, ICommandSource commands, string? thread, string payloadSource)
{
    private const string ControlPrefix = "\0";
    private volatile PdbState _state = PdbState.Starting;
    private ICommandChannel? _input;
    private bool _gaveUpWaiting;

    public async Task<int> RunAsync(CancellationToken interrupt)
    {
        context.Progress.Report($"attaching to process {context.Pid}");
        await using var target = await context.Injector.AttachAsync(context.Pid, interrupt).ConfigureAwait(false);
        await using var output = await target.OpenChannelAsync("pdb", interrupt).ConfigureAwait(false);
        await using var input = await target.OpenCommandChannelAsync("commands", interrupt).ConfigureAwait(false);
        _input = input;
        var parameters = JsonSerializer.Serialize(new Dictionary<string, string?>
        {
            ["channel"] = output.PathInTarget,
            ["commands"] = input.PathInTarget,
            ["thread"] = thread,
        }, PdbJson.Default.DictionaryStringString);
        context.Progress.Report("stopping at a safe point to start the agent thread");
        await target.RunPythonAsync(new PythonPayload("pdb", payloadSource, parameters), interrupt).ConfigureAwait(false);
        context.Progress.Report("agent thread started; waiting for it to take the GIL and stop the thread");

        // From here on Ctrl-C is pdb's business, every time it is pressed (not only the first).
        ConsoleCancelEventHandler onInterrupt = (_, e) =>
        {
            e.Cancel = true;
            Interrupt();
        };
        Console.CancelKeyPress += onInterrupt;
        var messages = new TargetMessages(output, context.Pid, context.Timeout);
        if (commands is TerminalCommands terminal)
            terminal.Completer = line => CompleteAsync(messages, line);
        messages.Start();
        try
        {
            await foreach (var message in messages.ReadAllAsync().ConfigureAwait(false))
            {
                if (await HandleAsync(message.GetProperty("type").GetString(), message).ConfigureAwait(false))
                    return _gaveUpWaiting ? GaveUp() : ExitCodes.Ok;
            }
        }
        finally
        {
            Console.CancelKeyPress -= onInterrupt;
        }
        throw new CapabilityException(ExitCodes.Failed, $"process {context.Pid} closed the pdb channel without detaching (did it exit?)");
    }

    /// <summary>Handles one message from the target; true when the session is over.</summary>
    private async Task<bool> HandleAsync(string? type, JsonElement message)
    {
        switch (type)
        {
            case "attached":
                context.Progress.Report("");
                Note($"host: attached to thread {message.GetProperty("ident").GetInt64()} of process {context.Pid}; quit or Ctrl-D detaches and lets it run on");
                break;
            case "output":
                var text = message.GetProperty("text").GetString() ?? "";
                if (commands is TerminalCommands terminal)
                    terminal.Prompt = text.Contains('\n') ? text[(text.LastIndexOf('\n') + 1)..] : terminal.Prompt + text;
                await context.Output.WriteAsync(text).ConfigureAwait(false);
                await context.Output.FlushAsync().ConfigureAwait(false);
                break;
            case "prompt":
                _state = PdbState.Prompt;
                var next = await commands.NextAsync(CancellationToken.None).ConfigureAwait(false);
                if (commands is TerminalCommands typed)
                    typed.Prompt = "";
                if (commands.IsScripted && next is not null)
                {
                    await context.Output.WriteLineAsync(next).ConfigureAwait(false);
                    await context.Output.FlushAsync().ConfigureAwait(false);
                }
                // End of input reaches the target as such: it leaves `interact`, or detaches from pdb.
                await SendAsync(next ?? ControlPrefix + "eof").ConfigureAwait(false);
                break;
            case "running":
                _state = PdbState.Running;
                if (commands.IsScripted && commands.IsExhausted)
                    await SendAsync(ControlPrefix + "detach").ConfigureAwait(false);
                else if (!commands.IsScripted)
                    Note("host: the thread runs; Ctrl-C breaks in again");
                break;
            case "waiting":
                _state = PdbState.Waiting;
                if (commands.IsScripted && commands.IsExhausted)
                    await SendAsync(ControlPrefix + "detach").ConfigureAwait(false);
                else
                    WaitBounded();
                break;
            case "done":
                Note($"host: detached from process {context.Pid}; it runs on");
                return true;
        }
        return false;
    }

    /// <summary>Tab at the prompt: the target's pdb completes, with the frame's names at hand.</summary>
    private async Task<Completions?> CompleteAsync(TargetMessages messages, string line)
    {
        var answer = await messages.CompleteAsync(() => SendAsync(ControlPrefix + "complete " + line), TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        if (answer is not { } json)
            return null;
        var items = json.GetProperty("items").EnumerateArray().Select(item => item.GetString() ?? "").ToList();
        return new Completions(json.GetProperty("prefix").GetString() ?? "", items);
    }

    private void WaitBounded()
    {
        if (!commands.IsScripted)
            Note($"host: the thread is outside Python; it stops when it next runs Python (Ctrl-C detaches instead)");
        var timeout = context.Timeout;
        _ = Task.Delay(timeout).ContinueWith(async _ =>
        {
            if (_state != PdbState.Waiting)
                return;
            _gaveUpWaiting = true;
            await SendAsync(ControlPrefix + "detach").ConfigureAwait(false);
        }, TaskScheduler.Default);
    }

    private void Interrupt()
    {
        switch (_state)
        {
            case PdbState.Running:
                _ = SendAsync(ControlPrefix + "break");
                break;
            case PdbState.Waiting:
            case PdbState.Starting:
                _ = SendAsync(ControlPrefix + "detach");
                break;
            default:
                Note("\nhost: (type quit, or press Ctrl-D, to detach)");
                break;
        }
    }

    private async Task SendAsync(string line)
    {
        try
        {
            await _input!.SendLineAsync(line, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception error) when (error is CapabilityException or ObjectDisposedException)
        {
            // The target stopped reading: it has detached already, or exited.
        }
    }

    private int GaveUp()
    {
        Console.Error.WriteLine($"error: the thread did not run Python within {context.Timeout.TotalSeconds:0.#} s, so the remaining commands did not run; detached");
        Console.Error.WriteLine("hint: raise --timeout, or inspect it without commands that make it run");
        return ExitCodes.Timeout;
    }

    private static void Note(string text) => Console.Error.WriteLine(text);
}
