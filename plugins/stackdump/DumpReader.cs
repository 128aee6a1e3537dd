using System.Text.Json;
using Host.Abstractions;

namespace Host.Plugins.Stackdump;

/// <summary>Reads the payload's JSON lines (hello, thread..., done or error) into a <see cref="StackDump"/>.</summary>
internal static class DumpReader
{
    public static async Task<StackDump> ReadAsync(IChannel channel, TargetProcess process, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        string? python = null;
        string? executable = null;
        var pid = process.Pid;
        var threads = new List<ThreadStack>();
        try
        {
            await foreach (var line in channel.ReadLinesAsync(timeout, bounded.Token).ConfigureAwait(false))
            {
                using var message = JsonDocument.Parse(line);
                var root = message.RootElement;
                switch (root.GetProperty("type").GetString())
                {
                    case "hello":
                        python = root.GetProperty("python").GetString();
                        executable = root.GetProperty("executable").GetString();
                        pid = root.GetProperty("pid").GetInt32();
                        bounded.CancelAfter(timeout);
                        break;
                    case "thread":
                        threads.Add(ThreadStackReader.Read(root));
                        break;
                    case "error":
                        throw new CapabilityException(ExitCodes.Failed, $"the stack dump failed inside the target: {root.GetProperty("message").GetString()}");
                    case "done":
                        return new StackDump(pid, python ?? process.PythonVersion, executable, threads);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CapabilityException(ExitCodes.Timeout, $"the target started the dump but did not finish it within {timeout.TotalSeconds:0.#} s", "a __repr__ or a lock may be blocking; the agent thread ends by itself when its reader is gone");
        }
        throw new CapabilityException(ExitCodes.Failed,
            python is null ? $"process {process.Pid} closed the channel before running the payload" : $"process {process.Pid} stopped sending before the dump was complete (did it exit?)");
    }
}
