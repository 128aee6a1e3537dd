using System.Globalization;

namespace Host.Plugins.Profile;

/// <summary>
/// Draws `top`'s table. On a terminal it takes the alternate screen (the shell's screen comes
/// back when top quits) and redraws in place, cut to the window's size; elsewhere (a pipe, a file)
/// each table is printed after the last, under a line with the time.
/// </summary>
internal sealed class TopScreen(TextWriter output, bool terminal) : IDisposable
{
    private const string Heading = "  own %  total %   own s  total s  function (file:line)";
    private bool _started;

    public void Show(IReadOnlyList<string> header, IReadOnlyList<TopRow> rows)
    {
        var (width, height) = terminal ? Size() : (160, 24);
        var lines = new List<string>(header) { "", Heading };
        var room = terminal ? Math.Max(1, height - lines.Count - 1) : 20;
        foreach (var row in rows.Take(room))
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{row.OwnPercent,7:0.0}  {row.TotalPercent,7:0.0}  {row.OwnSeconds,6:0.00}  {row.TotalSeconds,7:0.00}  {row.Function} ({row.Where})"));
        }
        if (rows.Count == 0)
            lines.Add("  (no busy Python thread in this interval)");
        if (!terminal)
        {
            foreach (var line in lines)
                output.WriteLine(line);
            output.WriteLine();
            output.Flush();
            return;
        }
        if (!_started)
        {
            // The alternate screen, and no cursor blinking over the table.
            output.Write("\x1b[?1049h\x1b[?25l");
            _started = true;
        }
        var frame = new System.Text.StringBuilder("\x1b[H");
        foreach (var line in lines)
            frame.Append(line.Length > width ? line[..width] : line).Append("\x1b[K\r\n");
        frame.Append("\x1b[J");
        output.Write(frame.ToString());
        output.Flush();
    }

    private static (int Width, int Height) Size()
    {
        try
        {
            return (Math.Max(Console.WindowWidth, 40), Math.Max(Console.WindowHeight, 8));
        }
        catch (IOException)
        {
            return (80, 24);
        }
    }

    /// <summary>Gives the terminal its screen and cursor back.</summary>
    public void Dispose()
    {
        if (!_started)
            return;
        output.Write("\x1b[?25h\x1b[?1049l");
        output.Flush();
        _started = false;
    }
}
