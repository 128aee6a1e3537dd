using System.Diagnostics;

namespace Host.Tests.Support;

/// <summary>The outcome of one `host` command run as a separate process, as a user would.</summary>
public sealed record HostResult(int ExitCode, string Stdout, string Stderr, int HostPid)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";

    /// <summary>No session or gdb directory of this host run is left in /tmp, nor in the /tmp of a tree targets run under.</summary>
    public void AssertNoFilesLeft()
    {
        foreach (var tmp in new[] { "/tmp", Path.Combine(Trees.Sid, "tmp") }.Where(Directory.Exists))
            Assert.Empty(Directory.GetDirectories(tmp, $"host-{HostPid}-*"));
    }
}

/// <summary>Runs the built `host` binary.</summary>
public static class HostRun
{
    public static async Task<HostResult> RunAsync(IEnumerable<string> arguments, TimeSpan? timeout = null, IReadOnlyDictionary<string, string?>? environment = null, string? asUser = null)
    {
        var process = Start(arguments, environment, asUser);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var wait = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"host {string.Join(' ', arguments)} did not finish: {await stderr.ConfigureAwait(false)}");
        }
        return new HostResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false), process.Id);
    }

    public static Task<HostResult> RunAsync(params string[] arguments) => RunAsync((IEnumerable<string>)arguments);

    /// <summary>Starts host without waiting, for tests that interrupt or kill it.</summary>
    public static Process Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, string? asUser = null)
    {
        var command = asUser is null ? [RepoPaths.HostBinary] : new List<string> { "runuser", "-u", asUser, "--", RepoPaths.HostBinary };
        var info = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in command.Skip(1).Concat(arguments))
            info.ArgumentList.Add(argument);
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
            info.Environment[key] = value;
        return Process.Start(info)!;
    }
}
