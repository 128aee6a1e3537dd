using System.Globalization;

namespace Host.Plugins.Profile;

/// <summary>
/// The text report: the functions that took the most samples, by own share (the function itself
/// was running) and total share (it was on the stack). A function is its name and file; lines are
/// left out, so that a loop spread over several lines counts as one.
/// </summary>
internal static class TopFunctions
{
    public const int Shown = 25;

    public static void Write(ProfileResult result, TextWriter output)
    {
        output.WriteLine(Summary.Headline(result));
        if (result.Counts.Total == 0)
        {
            output.WriteLine(result.IdleLeftOut > 0 ? "No thread was busy: every sampled stack was idle (--idle shows them)." : "No Python stack was sampled.");
            return;
        }
        if (!result.Request.Threads)
        {
            Table([.. result.Counts.Stacks], output);
            return;
        }
        // --threads: a table per thread (and process), the busiest first.
        var threads = result.Counts.Stacks.GroupBy(s => (s.Process?.Pid, s.Thread?.Ident)).OrderByDescending(g => g.Sum(s => s.Count));
        foreach (var thread in threads)
        {
            var first = thread.First();
            output.WriteLine();
            output.WriteLine($"{(first.Process is { } process ? process.Label + ", " : "")}{first.Thread?.Label}: {thread.Sum(s => s.Count)} thread-stacks");
            Table([.. thread], output);
        }
    }

    private static void Table(List<CountedStack> stacks, TextWriter output)
    {
        var total = stacks.Sum(s => s.Count);
        var own = new Dictionary<(string, string), long>();
        var all = new Dictionary<(string, string), long>();
        foreach (var stack in stacks)
        {
            var innermost = stack.Frames[^1];
            own[(innermost.Function, innermost.File)] = own.GetValueOrDefault((innermost.Function, innermost.File)) + stack.Count;
            // A recursive function is on the stack once per sample, however deep.
            foreach (var function in stack.Frames.Select(f => (f.Function, f.File)).Distinct())
                all[function] = all.GetValueOrDefault(function) + stack.Count;
        }
        output.WriteLine();
        output.WriteLine("  own %  total %  own  total  function (file)");
        foreach (var (function, count) in all.OrderByDescending(p => own.GetValueOrDefault(p.Key)).ThenByDescending(p => p.Value).Take(Shown))
        {
            var mine = own.GetValueOrDefault(function);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{100.0 * mine / total,7:0.0}  {100.0 * count / total,7:0.0}  {mine,4}  {count,5}  {function.Item1} ({function.Item2})"));
        }
        if (all.Count > Shown)
            output.WriteLine($"  ... {all.Count - Shown} more functions (--format collapsed or json has them all)");
    }
}
