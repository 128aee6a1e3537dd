using System.Diagnostics;
using Host.Abstractions;

namespace Host.Cli;

/// <summary>The bundled demo program (demo/demo_target.py): started for --demo, stopped afterwards.</summary>
internal sealed class DemoTarget : IAsyncDisposable
{
    private readonly Process _process;

    private DemoTarget(Process process) => _process = process;

    public int Pid => _process.Id;

    public static async Task<DemoTarget> StartAsync(TimeSpan timeout)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "demo", "demo_target.py");
        var python = Environment.GetEnvironmentVariable("HOST_DEMO_PYTHON") ?? "python3";
        var info = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        info.ArgumentList.Add(script);
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("no process");
        }
        catch (Exception error) when (error is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new CapabilityException(ExitCodes.Failed, $"cannot start the demo program with '{python}': {error.Message}", "install python3, or set HOST_DEMO_PYTHON to an interpreter");
        }
        var ready = process.StandardOutput.ReadLineAsync();
        if (await Task.WhenAny(ready, Task.Delay(timeout)).ConfigureAwait(false) != ready || ready.Result != "ready")
        {
            process.Kill();
            throw new CapabilityException(ExitCodes.Failed, "the demo program did not start");
        }
        return new DemoTarget(process);
    }

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
