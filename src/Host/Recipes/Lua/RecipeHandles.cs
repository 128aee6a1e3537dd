using Host.Abstractions;

namespace Host.Recipes.Lua;

/// <summary>
/// What a recipe has open, by the numbers Lua knows it by: targets, FIFOs and Python jobs, the
/// latter two under the target they came from. Detaching a target closes what came from it;
/// disposing closes everything, so nothing a recipe opened outlives it.
/// </summary>
internal sealed class RecipeHandles : IAsyncDisposable
{
    private readonly Dictionary<long, ITarget> _targets = [];
    private readonly Dictionary<long, (long Target, FifoReader Reader)> _fifos = [];
    private readonly Dictionary<long, (long Target, PythonJob Job)> _jobs = [];
    private long _lastHandle;

    public long AddTarget(ITarget target)
    {
        _targets[++_lastHandle] = target;
        return _lastHandle;
    }

    public ITarget Target(long handle) =>
        _targets.TryGetValue(handle, out var target)
            ? target
            : throw new RecipeApiException("this target was detached; attach again to use it");

    public bool TryGetTarget(long handle, out ITarget target) => _targets.TryGetValue(handle, out target!);

    public long AddJob(long target, PythonJob job)
    {
        _jobs[++_lastHandle] = (target, job);
        return _lastHandle;
    }

    public PythonJob RemoveJob(long handle) =>
        _jobs.Remove(handle, out var entry)
            ? entry.Job
            : throw new RecipeApiException("this Python job was already waited for");

    public long AddFifo(long target, FifoReader reader)
    {
        _fifos[++_lastHandle] = (target, reader);
        return _lastHandle;
    }

    public FifoReader Fifo(long handle) =>
        _fifos.TryGetValue(handle, out var entry)
            ? entry.Reader
            : throw new RecipeApiException("this fifo was closed");

    /// <summary>Closes the FIFO if it is still open.</summary>
    public void CloseFifo(long handle)
    {
        if (_fifos.Remove(handle, out var entry))
            Blocking.Wait(entry.Reader.DisposeAsync());
    }

    /// <summary>Ends the target's jobs, closes its FIFOs, then detaches from it (if still attached).</summary>
    public void Detach(long handle)
    {
        foreach (var (key, entry) in _jobs.Where(j => j.Value.Target == handle).ToList())
        {
            _jobs.Remove(key);
            Blocking.Wait(entry.Job.DisposeAsync());
        }
        foreach (var (key, entry) in _fifos.Where(f => f.Value.Target == handle).ToList())
        {
            _fifos.Remove(key);
            Blocking.Wait(entry.Reader.DisposeAsync());
        }
        if (_targets.Remove(handle, out var target))
            Blocking.Wait(target.DisposeAsync());
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (_, job) in _jobs.Values)
            await job.DisposeAsync().ConfigureAwait(false);
        foreach (var (_, reader) in _fifos.Values)
            await reader.DisposeAsync().ConfigureAwait(false);
        foreach (var target in _targets.Values)
            await target.DisposeAsync().ConfigureAwait(false);
        _jobs.Clear();
        _fifos.Clear();
        _targets.Clear();
    }
}
