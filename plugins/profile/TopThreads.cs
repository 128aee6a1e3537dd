using Host.Abstractions;

namespace Host.Plugins.Profile;

/// <summary>
/// The target's threads as `top`'s header tells them, from the samples of one interval: how many
/// there are, how many were busy (not asleep in a system call), and which thread held the GIL in
/// most of the samples, with its share.
/// </summary>
internal sealed class TopThreads(bool hasGil)
{
    private readonly Dictionary<long, (string Label, long Samples)> _holders = [];
    private long _samples;
    private int _threads, _busy;

    public void Add(StackSample sample)
    {
        _samples++;
        _threads = sample.Threads.Count;
        _busy = 0;
        foreach (var thread in sample.Threads)
        {
            if (thread.State is not ThreadStates.Idle)
                _busy++;
            if (thread.HoldsGil == true)
            {
                var label = thread.Name ?? thread.Ident.ToString(System.Globalization.CultureInfo.InvariantCulture);
                _holders[thread.Ident] = (label, _holders.GetValueOrDefault(thread.Ident).Samples + 1);
            }
        }
    }

    /// <summary>"3 threads, 1 busy; GIL: worker 97%" for the interval now ending, and starts the next.</summary>
    public string Close()
    {
        var text = $"{_threads} threads, {_busy} busy; ";
        if (!hasGil)
            text += "no GIL (free-threaded)";
        else if (_holders.Count == 0 || _samples == 0)
            text += "GIL: not held";
        else
        {
            var (label, samples) = _holders.Values.MaxBy(h => h.Samples);
            text += $"GIL: {label} {100.0 * samples / _samples:0}%";
        }
        _holders.Clear();
        _samples = 0;
        return text;
    }
}
