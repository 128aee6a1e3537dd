namespace Host.Output;

/// <summary>Progress notes on standard error, only when it is a terminal; each note replaces the last.</summary>
internal sealed class TerminalProgress : IProgress<string>
{
    private readonly bool _enabled = !Console.IsErrorRedirected;
    private int _width;

    public void Report(string value)
    {
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
