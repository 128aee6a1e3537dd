using System.Diagnostics;

namespace Host.Tests.Support;

/// <summary>
/// A command running in a real terminal (a detached tmux session), driven as a user would:
/// keys in, screen out. The session is killed on disposal.
/// </summary>
public sealed class TerminalSession : IAsyncDisposable
{
    private readonly string _name = "host-test-" + Guid.NewGuid().ToString("N")[..8];

    private TerminalSession()
    {
    }

    public static async Task<TerminalSession> StartAsync(string shellCommand)
    {
        var session = new TerminalSession();
        await Tmux("new-session", "-d", "-s", session._name, "-x", "160", "-y", "50", shellCommand).ConfigureAwait(false);
        return session;
    }

    /// <summary>Keys as tmux send-keys names them: text, "Enter", "C-c", "C-d", "Up"...</summary>
    public Task SendKeysAsync(params string[] keys) => Tmux(["send-keys", "-t", _name, .. keys]);

    public Task<string> ScreenAsync() => Tmux("capture-pane", "-p", "-t", _name, "-S", "-200");

    /// <summary>Waits until the screen shows <paramref name="text"/> <paramref name="times"/> times.</summary>
    public async Task<string> WaitForAsync(string text, int times = 1, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var screen = await ScreenAsync().ConfigureAwait(false);
            if (Count(screen, text) >= times)
                return screen;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"the terminal never showed '{text}' {times} time(s):\n{screen}");
            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    private static int Count(string screen, string text)
    {
        var count = 0;
        for (var at = screen.IndexOf(text, StringComparison.Ordinal); at >= 0; at = screen.IndexOf(text, at + text.Length, StringComparison.Ordinal))
            count++;
        return count;
    }

    private static async Task<string> Tmux(params string[] arguments)
    {
        var info = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync().ConfigureAwait(false);
        await process.WaitForExitAsync().ConfigureAwait(false);
        return output;
    }

    public async ValueTask DisposeAsync() => await Tmux("kill-session", "-t", _name).ConfigureAwait(false);
}
