using Host.Abstractions;

namespace Host.Plugins.Stackdump;

/// <summary>Reads the payload's messages (hello, thread..., done) into the contract's stack model.</summary>
internal static class DumpReader
{
    public static async Task<PythonStacks> ReadAsync(IChannel channel, TargetProcess process, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var messages = new PayloadMessages(channel, process.Pid, "the stack dump")
        {
            OnClosed = helloSeen => new CapabilityException(ExitCodes.Failed, helloSeen
                ? $"process {process.Pid} stopped sending before the dump was complete (did it exit?)"
                : $"process {process.Pid} closed the channel before running the payload"),
        };
        string? python = null;
        string? executable = null;
        var pid = process.Pid;
        var threads = new List<PythonThread>();
        try
        {
            await foreach (var message in messages.ReadAsync(timeout, bounded.Token).ConfigureAwait(false))
            {
                switch (message.Type)
                {
                    case "hello":
                        python = message.Body.GetProperty("python").GetString();
                        executable = message.Body.GetProperty("executable").GetString();
                        pid = message.Body.GetProperty("pid").GetInt32();
                        bounded.CancelAfter(timeout);
                        break;
                    case "thread":
                        threads.Add(ThreadStackReader.Read(message.Body));
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CapabilityException(ExitCodes.Timeout, $"the target started the dump but did not finish it within {timeout.TotalSeconds:0.#} s", "a __repr__ or a lock may be blocking; the agent thread ends by itself when its reader is gone");
        }
        return new PythonStacks(pid, python ?? process.PythonVersion, executable, threads);
    }
}
