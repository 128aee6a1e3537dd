using System.Text;

namespace Host.Plugins.Pdb;

/// <summary>
/// Reads one command line at a terminal: editing (arrows, Home/End, Ctrl-A/E, Backspace/Delete),
/// history (Up/Down), Tab completion (asked of the target), Ctrl-C cancels the line being typed,
/// Ctrl-D on an empty line is end of input.
/// </summary>
internal sealed class LineEditor
{
    private readonly List<string> _history = [];

    /// <summary>The line typed, or null at end of input. <paramref name="prompt"/> is already on screen.</summary>
    public string? ReadLine(string prompt, Func<string, Completions?> complete)
    {
        var line = new StringBuilder();
        var cursor = 0;
        var recalled = _history.Count;
        var previous = Console.TreatControlCAsInput;
        Console.TreatControlCAsInput = true;
        try
        {
            while (true)
            {
                var key = Console.ReadKey(intercept: true);
                var control = (key.Modifiers & ConsoleModifiers.Control) != 0;
                switch (key.Key)
                {
                    case ConsoleKey.Tab:
                        cursor = Complete(prompt, line, cursor, complete);
                        break;
                    case ConsoleKey.Enter:
                        Console.Out.Write('\n');
                        var text = line.ToString();
                        if (text.Trim().Length > 0 && (_history.Count == 0 || _history[^1] != text))
                            _history.Add(text);
                        return text;
                    case ConsoleKey.C when control:
                        Console.Out.Write("^C\n" + prompt);
                        line.Clear();
                        cursor = 0;
                        recalled = _history.Count;
                        continue;
                    case ConsoleKey.D when control:
                        if (line.Length == 0)
                            return null;
                        if (cursor < line.Length)
                            line.Remove(cursor, 1);
                        break;
                    case ConsoleKey.A when control:
                    case ConsoleKey.Home:
                        cursor = 0;
                        break;
                    case ConsoleKey.E when control:
                    case ConsoleKey.End:
                        cursor = line.Length;
                        break;
                    case ConsoleKey.LeftArrow:
                        cursor = Math.Max(0, cursor - 1);
                        break;
                    case ConsoleKey.RightArrow:
                        cursor = Math.Min(line.Length, cursor + 1);
                        break;
                    case ConsoleKey.Backspace:
                        if (cursor > 0)
                            line.Remove(--cursor, 1);
                        break;
                    case ConsoleKey.Delete:
                        if (cursor < line.Length)
                            line.Remove(cursor, 1);
                        break;
                    case ConsoleKey.UpArrow when recalled > 0:
                    case ConsoleKey.DownArrow when recalled < _history.Count:
                        recalled += key.Key == ConsoleKey.UpArrow ? -1 : 1;
                        line.Clear().Append(recalled < _history.Count ? _history[recalled] : "");
                        cursor = line.Length;
                        break;
                    default:
                        if (key.KeyChar >= ' ' && !control)
                            line.Insert(cursor++, key.KeyChar);
                        break;
                }
                Redraw(prompt, line, cursor);
            }
        }
        finally
        {
            Console.TreatControlCAsInput = previous;
        }
    }

    private static int Complete(string prompt, StringBuilder line, int cursor, Func<string, Completions?> complete)
    {
        var head = line.ToString(0, cursor);
        if (complete(head) is not { Items.Count: > 0 } completions || !head.StartsWith(completions.Prefix, StringComparison.Ordinal))
            return cursor;
        var word = head[completions.Prefix.Length..];
        var common = completions.CommonStart();
        if (common.Length > word.Length)
        {
            var added = common[word.Length..] + (completions.Items.Count == 1 && !common.EndsWith('.') ? " " : "");
            line.Insert(cursor, added);
            return cursor + added.Length;
        }
        // Nothing to add: show the choices under the line, then the line again.
        Console.Out.Write("\n" + string.Join("  ", completions.Items.Take(60)) + "\n" + prompt);
        return cursor;
    }

    private static void Redraw(string prompt, StringBuilder line, int cursor)
    {
        var back = line.Length - cursor;
        Console.Out.Write("\r" + prompt + line + "\u001b[K" + (back > 0 ? $"\u001b[{back}D" : ""));
    }
}
