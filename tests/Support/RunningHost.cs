using System.Diagnostics;
using System.Text;

namespace Host.Tests.Support;

/// <summary>
/// A `host` command left running (settrace), read as it goes: the test waits for a line on its
/// standard error, then interrupts or kills it. Disposing kills it if still running.
/// </summary>
public sealed class RunningHost : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly Task _stderrPump;
    private Task<string>? _stdout;

    private RunningHost(Process process, bool readStdout)
    {
        _process = process;
        _stderrPump = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync().ConfigureAwait(false) is { } line)
                lock (_stderr)
                    _stderr.AppendLine(line);
        });
        if (readStdout)
            ReadStdout();
    }

    public int Pid => _process.Id;

    public string Stderr
    {
        get
        {
            lock (_stderr)
                return _stderr.ToString();
        }
    }

    /// <summary>Starts host; with readStdout false nobody reads its output until <see cref="ReadStdout"/> (a slow reader).</summary>
    public static RunningHost Start(IEnumerable<string> arguments, bool readStdout = true) => new(HostRun.Start(arguments), readStdout);

    public void ReadStdout() => _stdout ??= _process.StandardOutput.ReadToEndAsync();

    /// <summary>Hands each line of standard output to <paramref name="take"/> as it comes, keeping none (for outputs of millions of lines).</summary>
    public void StreamStdout(Action<string> take) => _stdout ??= Task.Run(async () =>
    {
        while (await _process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
            take(line);
        return "";
    });

    /// <summary>Waits until standard error shows <paramref name="text"/>; fails with what it shows if host ends first.</summary>
    public async Task WaitForStderrAsync(string text, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!Stderr.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited)
            {
                await _stderrPump.ConfigureAwait(false);
                if (Stderr.Contains(text, StringComparison.Ordinal))
                    return;
                throw new InvalidOperationException($"host exited ({_process.ExitCode}) before printing '{text}':\n{Stderr}\n{await StdoutAsync().ConfigureAwait(false)}");
            }
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"host did not print '{text}':\n{Stderr}");
            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    public void Signal(string signal) => Signals.Send(_process.Id, signal);

    /// <summary>Waits for host to end and returns what it did.</summary>
    public async Task<HostResult> WaitAsync(TimeSpan? timeout = null)
    {
        ReadStdout();
        using var wait = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"host did not end:\n{Stderr}");
        }
        await _stderrPump.ConfigureAwait(false);
        return new HostResult(_process.ExitCode, await StdoutAsync().ConfigureAwait(false), Stderr, _process.Id);
    }

    /// <summary>Reads one line of standard output, then closes our end, as `host ... | head -1` would.</summary>
    public async Task<string?> ReadLineThenCloseStdoutAsync()
    {
        var line = await _process.StandardOutput.ReadLineAsync().ConfigureAwait(false);
        _process.StandardOutput.Close();
        _stdout = Task.FromResult("");
        return line;
    }

    private Task<string> StdoutAsync() => _stdout ?? Task.FromResult("");

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }
        _process.Dispose();
    }
}
