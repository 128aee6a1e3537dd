using System.Globalization;

namespace Host.Plugins.Profile;

/// <summary>The lines that say how a profile went: at its head, and on standard error at its end.</summary>
internal static class Summary
{
    public static string Headline(ProfileResult result) => string.Create(CultureInfo.InvariantCulture,
        $"Process {result.Process.Pid}: Python {result.Process.PythonVersion}, sampled {result.Elapsed.TotalSeconds:0.0} s at {result.AchievedRate:0.0} Hz ({result.Request.Rate} asked), {result.Samples} samples, {result.Counts.Total} thread-stacks{(result.ProcessesSampled > 1 ? $", {result.ProcessesSampled - 1} subprocesses followed" : "")}{(result.Request.Blocking ? ", threads stopped for each" : "")}");

    /// <summary>How the sampling went, for standard error: the rate achieved, and what was missed, failed or left out, and why.</summary>
    public static IEnumerable<string> Closing(ProfileResult result)
    {
        var failed = result.FailedTotal;
        var share = result.ThreadStacksRead > 0 ? 100.0 * failed / result.ThreadStacksRead : 0;
        yield return string.Create(CultureInfo.InvariantCulture,
            $"profile: {result.Samples} samples in {result.Elapsed.TotalSeconds:0.0} s, {result.AchievedRate:0.0} Hz of {result.Request.Rate} asked; {result.Missed} missed (a sample took longer than the interval); {result.ThreadStacksRead} thread-stacks read, {failed} failed ({share:0.##}%)");
        foreach (var (reason, count) in result.Failed.OrderByDescending(p => p.Value))
            yield return $"profile: {count} failed: {reason}{(result.Request.Blocking ? "" : " (--blocking stops the threads for each sample, so stacks cannot change under the read)")}";
        if (result.IdleLeftOut > 0)
            yield return $"profile: {result.IdleLeftOut} thread-stacks of idle threads (asleep in a system call) left out; --idle keeps them";
        if (result.GilLeftOut > 0)
            yield return $"profile: {result.GilLeftOut} thread-stacks of threads not holding the GIL left out (--gil)";
        foreach (var note in result.SubprocessNotes)
            yield return $"profile: {note}";
        if (result.EndedEarly is { } ended)
            yield return $"profile: ended early: {ended}; what was collected until then is written";
    }
}
