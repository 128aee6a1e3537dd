using System.Text;
using System.Text.Json;
using Host.Abstractions;

namespace Host.Plugins.Settrace;

/// <summary>
/// One trace: starts the payload, streams its events to the output until Ctrl-C, --duration or
/// the target's exit, then has the target remove every hook and waits (bounded) for it to confirm.
/// </summary>
internal sealed class TraceSession(ICapabilityContext context, TraceRequest request, string payloadSource)
{
    private readonly TraceNames _names = new();
    private readonly ITraceWriter _writer = request.Json ? new JsonTraceWriter() : new TextTraceWriter();
    private readonly Dictionary<uint, long> _calls = [];
    private readonly StringBuilder _pending = new();
    private TraceAssembler? _assembler;
    private long _shown;
    private long _dropped;
    private bool _outputClosed;
    private CancellationTokenSource? _stop;

    public async Task<int> RunAsync(CancellationToken interrupt)
    {
        context.Progress.Report($"attaching to process {context.Pid}");
        await using var target = await context.Injector.AttachAsync(context.Pid, interrupt).ConfigureAwait(false);
        await using var events = await target.OpenChannelAsync("settrace", interrupt).ConfigureAwait(false);
        await using var control = await target.OpenCommandChannelAsync("control", interrupt).ConfigureAwait(false);
        var parameters = request.ToParameters(events.PathInTarget, control.PathInTarget);
        context.Progress.Report("stopping at a safe point to start the agent thread");
        await target.RunPythonAsync(new PythonPayload("settrace", payloadSource, parameters), interrupt).ConfigureAwait(false);
        context.Progress.Report("agent thread started; waiting for it to take the GIL and install the hooks");

        // From here on, stopping means asking the target to remove its hooks, then reading to the end.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(interrupt);
        _stop = stop;
        using var abandon = new CancellationTokenSource();
        using var onStop = stop.Token.Register(() =>
        {
            try
            {
                control.SendLineAsync("stop", CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (CapabilityException)
            {
                // The pipe is full or gone: closing our end below says the same thing.
            }
            abandon.CancelAfter(context.Timeout);
        });

        var started = DateTime.UtcNow;
        string ending;
        try
        {
            ending = await ReadAsync(events, target.Process, stop, abandon.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (abandon.IsCancellationRequested)
        {
            await control.DisposeAsync().ConfigureAwait(false);
            throw new CapabilityException(ExitCodes.Timeout,
                $"process {context.Pid} did not confirm within {context.Timeout.TotalSeconds:0.#} s that its hooks are removed",
                "a thread may hold the GIL; the agent removes the hooks as soon as it runs again, since its command channel is now closed");
        }
        catch (CapabilityException error) when (error.ExitCode == ExitCodes.TargetNotFound && _assembler is not null)
        {
            ending = $"ended: process {context.Pid} exited";
        }
        Flush();
        var summary = new TraceSummary(_shown, _dropped, (DateTime.UtcNow - started).TotalSeconds, _names.ThreadCount, ending,
            request.Summary ? CallsPerFunction() : null);
        _writer.WriteSummary(summary, _pending);
        Flush();
        return ExitCodes.Ok;
    }

    private async Task<string> ReadAsync(IChannel events, TargetProcess process, CancellationTokenSource stop, CancellationToken abandon)
    {
        var messages = new PayloadMessages(events, process.Pid, "tracing")
        {
            OnError = error => new CapabilityException(ExitCodes.Failed, $"tracing failed inside the target: {error.GetProperty("message").GetString()}",
                "the target keeps running; every hook that was installed has been removed"),
            OnClosed = _ => new CapabilityException(ExitCodes.Failed, $"process {process.Pid} closed the trace channel without confirming that its hooks are removed"),
        };
        await foreach (var (type, message) in messages.ReadAsync(context.Timeout, abandon).ConfigureAwait(false))
        {
            if (_names.Learn(type, message))
                continue;
            switch (type)
            {
                case "hello":
                    _assembler = new TraceAssembler(_names, message.GetProperty("started_ns").GetUInt64());
                    context.Progress.Report("");
                    await Console.Error.WriteLineAsync(
                        $"host: tracing process {process.Pid} (Python {message.GetProperty("python").GetString()}, {message.GetProperty("mode").GetString()}); Ctrl-C stops and removes every hook").ConfigureAwait(false);
                    if (request.Duration is { } duration)
                        stop.CancelAfter(duration);
                    break;
                case "events":
                    Show(Convert.FromBase64String(message.GetProperty("data").GetString() ?? ""));
                    Flush();
                    break;
                case "done":
                    _dropped = message.GetProperty("dropped").GetInt64();
                    return message.GetProperty("reason").GetString() == "exit"
                        ? $"ended: process {process.Pid} exited"
                        : $"removed from process {process.Pid}";
            }
        }
        throw new InvalidOperationException("the payload messages end with done");
    }

    private void Show(byte[] records)
    {
        foreach (var record in TraceRecord.Decode(records))
        {
            var traceEvent = _assembler!.Assemble(record);
            _writer.Write(traceEvent, _pending);
            _shown++;
            if (record.Kind == TraceKind.Call)
                _calls[record.Code] = _calls.GetValueOrDefault(record.Code) + 1;
        }
    }

    private void Flush()
    {
        if (_pending.Length == 0 || _outputClosed)
        {
            _pending.Clear();
            return;
        }
        try
        {
            context.Output.Write(_pending);
            context.Output.Flush();
        }
        catch (IOException)
        {
            // The reader went away (`host run settrace | head`): stop tracing, quietly.
            _outputClosed = true;
            _stop?.Cancel();
        }
        _pending.Clear();
    }

    private List<(string Function, long Count)> CallsPerFunction() =>
        [.. _calls.OrderByDescending(pair => pair.Value).Select(pair => (Describe(_names.Function(pair.Key)), pair.Value))];

    private static string Describe(FunctionInfo function) => $"{function.Name} ({function.File}:{function.Line})";
}
