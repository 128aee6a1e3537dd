using System.Diagnostics;

namespace Host.Output;

/// <summary>
/// Progress notes on standard error, only when it is a terminal; each note replaces the last.
/// With --verbose every note is kept, with the time since the process started, to show where time goes.
/// The notes are written to the descriptor itself: Console.Error on a terminal first sets up .NET's
/// whole terminal layer, milliseconds of every run at a terminal, for a note that shows as long.
/// </summary>
internal sealed class TerminalProgress(bool verbose) : IProgress<string>
{
    private readonly bool _enabled = Host.Linux.Libc.IsATty(2) == 1 && !verbose;
    private TextWriter? _error;
    private int _width;

    private TextWriter Error => _error ??= new StreamWriter(new DescriptorStream(2), new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false)) { AutoFlush = true };

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
            Error.WriteLine($"host: [{elapsed.TotalMilliseconds,6:0} ms] {value}");
        }
        if (!_enabled)
            return;
        var text = $"host: {value}";
        Error.Write("\r" + text.PadRight(_width) + "\r" + text);
        _width = text.Length;
    }

    public void Clear()
    {
        if (!_enabled || _width == 0)
            return;
        Error.Write("\r" + new string(' ', _width) + "\r");
        _width = 0;
    }
}
