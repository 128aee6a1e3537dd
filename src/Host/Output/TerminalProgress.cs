using System.Diagnostics;

namespace Host.Output;

/// <summary>
/// Progress notes on standard error, only when it is a terminal; each note replaces the last.
/// With --verbose every note is kept, with the time since the process started, to show where time goes.
/// </summary>
internal sealed class TerminalProgress(bool verbose) : IProgress<string>
{
    private readonly bool _enabled = !Console.IsErrorRedirected && !verbose;
    private int _width;

    public void Report(string value)
    {
        if (value.Length == 0)
        {
            Clear();
            return;
        }
        if (verbose)
        {
            var elapsed = DateTime.Now - Process.GetCurrentProcess().StartTime;
            Console.Error.WriteLine($"host: [{elapsed.TotalMilliseconds,6:0} ms] {value}");
        }
        if (!_enabled)
            return;
        var text = $"host: {value}";
        Console.Error.Write("\r" + text.PadRight(_width) + "\r");
        _width = text.Length;
        Console.Error.Write(text);
    }

    public void Clear()
    {
        if (!_enabled || _width == 0)
            return;
        Console.Error.Write("\r" + new string(' ', _width) + "\r");
        _width = 0;
    }
}
