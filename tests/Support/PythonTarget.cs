using System.Diagnostics;
using System.Threading.Channels;

namespace Host.Tests.Support;

/// <summary>
/// A real Python process started by a test from tests/fixtures. It is killed at the end of the test
/// if still running (its own pid only). <see cref="AssertUnharmedAsync"/> checks what the DESIGN
/// promises: it still answers, then exits with the code and output it would have had anyway.
/// </summary>
public sealed class PythonTarget : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly Task _stderr;
    private string _errors = "";

    private PythonTarget(Process process, Interpreter interpreter)
    {
        _process = process;
        Interpreter = interpreter;
        _ = PumpAsync();
        _stderr = Task.Run(async () => _errors = await process.StandardError.ReadToEndAsync().ConfigureAwait(false));
    }

    public Interpreter Interpreter { get; }

    /// <summary>The Python process's pid (asked from the process itself, so wrappers do not matter).</summary>
    public int Pid { get; private set; }

    public bool HasExited => _process.HasExited;

    /// <summary>The process started: the interpreter, or the wrapper command it runs under.</summary>
    public int WrapperPid => _process.Id;

    /// <summary>Starts the fixture (a name in tests/fixtures, or a full path), optionally behind a wrapper command (unshare, runuser...).</summary>
    public static async Task<PythonTarget> StartAsync(Interpreter interpreter, string fixture, IEnumerable<string>? arguments = null, IEnumerable<string>? wrapper = null, bool answersCommands = true)
    {
        var script = Path.IsPathRooted(fixture) ? fixture : RepoPaths.Fixture(fixture);
        var command = (wrapper ?? []).Concat(interpreter.Command(new[] { "-u", script }.Concat(arguments ?? []))).ToList();
        var info = new ProcessStartInfo(command[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in command.Skip(1))
            info.ArgumentList.Add(argument);
        var target = new PythonTarget(Process.Start(info)!, interpreter);
        var first = await target.ReadLineAsync(StartTimeout).ConfigureAwait(false);
        if (first != "ready")
            throw new InvalidOperationException($"fixture {fixture} on {interpreter} did not start: {first} {target._errors}");
        target.Pid = answersCommands ? int.Parse((await target.AskAsync("pid").ConfigureAwait(false)).Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) : target._process.Id;
        return target;
    }

    /// <summary>Sends a command line and returns the answer line.</summary>
    public async Task<string> AskAsync(string command)
    {
        await _process.StandardInput.WriteLineAsync(command).ConfigureAwait(false);
        await _process.StandardInput.FlushAsync().ConfigureAwait(false);
        return await ReadLineAsync(TimeSpan.FromSeconds(20)).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"the target ended instead of answering '{command}': {_errors}");
    }

    /// <summary>Checks that the target still works, then ends it and checks its exit code and output.</summary>
    public async Task AssertUnharmedAsync()
    {
        Assert.Equal("echo still-alive", await AskAsync("still-alive"));
        await QuitAndAssertExitAsync();
    }

    /// <summary>Ends the target with "quit" and checks it exits with the code and output it always has.</summary>
    public async Task QuitAndAssertExitAsync()
    {
        await _process.StandardInput.WriteLineAsync("quit").ConfigureAwait(false);
        await _process.StandardInput.FlushAsync().ConfigureAwait(false);
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
        await _stderr.ConfigureAwait(false);
        var rest = new List<string>();
        while (await ReadLineAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false) is { } line)
            rest.Add(line);
        Assert.Equal(["bye"], rest);
        Assert.Equal("", _errors);
        Assert.Equal(3, _process.ExitCode);
    }

    /// <summary>The kernel's view: neither stopped nor traced, nor gone.</summary>
    public void AssertRunningFreely()
    {
        var stat = File.ReadAllText($"/proc/{Pid}/stat");
        var state = stat[stat.LastIndexOf(')') + 2];
        Assert.True(state is 'R' or 'S' or 'D', $"target state is '{state}'");
        var tracer = File.ReadAllLines($"/proc/{Pid}/status").Single(l => l.StartsWith("TracerPid:", StringComparison.Ordinal));
        Assert.Equal("TracerPid:\t0", tracer);
    }

    public string Errors => _errors;

    /// <summary>Waits for the target to end by itself (after a signal, say) and gives its exit code; its standard error is read to the end.</summary>
    public async Task<int> WaitForExitAsync()
    {
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
        await _stderr.ConfigureAwait(false);
        return _process.ExitCode;
    }

    /// <summary>The next line the target prints by itself (for fixtures that do not answer commands).</summary>
    public Task<string?> NextLineAsync() => ReadLineAsync(TimeSpan.FromSeconds(20));

    private async Task<string?> ReadLineAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            return await _lines.Reader.ReadAsync(cancel.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no line from the target within {timeout}");
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    private async Task PumpAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
            await _lines.Writer.WriteAsync(line).ConfigureAwait(false);
        _lines.Writer.Complete();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                // SIGCONT first: a test may have stopped it on purpose.
                Process.Start("kill", ["-CONT", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])?.WaitForExit();
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().ConfigureAwait(false);
            }
            catch (InvalidOperationException)
            {
            }
        }
        _process.Dispose();
    }
}
