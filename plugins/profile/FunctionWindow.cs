using Host.Abstractions;

namespace Host.Plugins.Profile;

/// <summary>One row of `top`: a function, its share of the last interval's thread-stacks and its time since the start.</summary>
internal sealed record TopRow(string Function, string Where, double OwnPercent, double TotalPercent, double OwnSeconds, double TotalSeconds);

/// <summary>
/// What `top` shows: thread-stacks counted by function (name, file, first line), own (the function
/// was running) and total (it was on the stack), for the interval since the last table and since
/// the start. A frame id is turned into its function once; a function recursing is counted once
/// per stack.
/// </summary>
internal sealed class FunctionWindow(SampleSources sources)
{
    private readonly Dictionary<(int Source, int Id), int> _functionOf = [];
    private readonly Dictionary<(string, string, int), int> _index = [];
    private readonly List<(string Function, string File, int FirstLine)> _functions = [];
    private readonly HashSet<int> _onStack = [];
    private long[] _own = new long[64], _total = new long[64], _ownAll = new long[64], _totalAll = new long[64];
    private long _stacks;

    public void Add(int source, SampledThread thread)
    {
        _stacks++;
        _onStack.Clear();
        for (var i = 0; i < thread.Frames.Length; i++)
        {
            var function = FunctionOf(source, thread.Frames[i]);
            if (_onStack.Add(function))
            {
                _total[function]++;
                _totalAll[function]++;
            }
            if (i == thread.Frames.Length - 1)
            {
                _own[function]++;
                _ownAll[function]++;
            }
        }
    }

    /// <summary>The rows of the interval now ending, busiest first (then since the start), and starts the next interval.</summary>
    /// <param name="rate">Samples a second achieved: a sample of a thread stands for 1/rate seconds of it.</param>
    public List<TopRow> Close(double rate)
    {
        var rows = new List<TopRow>();
        var perSample = rate > 0 ? 1 / rate : 0;
        for (var f = 0; f < _functions.Count; f++)
        {
            if (_totalAll[f] == 0)
                continue;
            var (function, file, first) = _functions[f];
            rows.Add(new TopRow(function, $"{file}:{first}",
                _stacks > 0 ? 100.0 * _own[f] / _stacks : 0, _stacks > 0 ? 100.0 * _total[f] / _stacks : 0,
                _ownAll[f] * perSample, _totalAll[f] * perSample));
        }
        Array.Clear(_own);
        Array.Clear(_total);
        _stacks = 0;
        return [.. rows.OrderByDescending(r => r.OwnPercent).ThenByDescending(r => r.TotalPercent).ThenByDescending(r => r.OwnSeconds)];
    }

    private int FunctionOf(int source, int id)
    {
        if (_functionOf.TryGetValue((source, id), out var function))
            return function;
        var frame = sources.Sampler(source).Frame(id);
        var key = (frame.Function, frame.File, frame.FirstLine);
        if (!_index.TryGetValue(key, out function))
        {
            function = _functions.Count;
            _functions.Add(key);
            _index[key] = function;
            if (function >= _own.Length)
            {
                var size = _own.Length * 2;
                Array.Resize(ref _own, size);
                Array.Resize(ref _total, size);
                Array.Resize(ref _ownAll, size);
                Array.Resize(ref _totalAll, size);
            }
        }
        _functionOf[(source, id)] = function;
        return function;
    }
}
