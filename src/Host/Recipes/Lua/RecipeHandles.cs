using Host.Abstractions;

namespace Host.Recipes.Lua;

/// <summary>
/// What a recipe has open, by the numbers Lua knows it by: targets, FIFOs and Python jobs, the
/// latter two under the target they came from. Detaching a target closes what came from it;
/// disposing closes everything, so nothing a recipe opened outlives it.
/// </summary>
internal sealed class RecipeHandles : IAsyncDisposable
{
    private readonly Dictionary<long, ITarget> targets = [];
    private readonly Dictionary<long, (long Target, FifoReader Reader)> fifos = [];
    private readonly Dictionary<long, (long Target, PythonJob Job)> jobs = [];
    private long lastHandle;

    public long AddTarget(ITarget target)
    {
        targets[++lastHandle] = target;
        return lastHandle;
    }

    public ITarget Target(long handle) =>
        targets.TryGetValue(handle, out var target)
            ? target
            : throw new RecipeApiException("this target was detached; attach again to use it");

    public bool TryGetTarget(long handle, out ITarget target) => targets.TryGetValue(handle, out target!);

    public long AddJob(long target, PythonJob job)
    {
        jobs[++lastHandle] = (target, job);
        return lastHandle;
    }

    public PythonJob RemoveJob(long handle) =>
        jobs.Remove(handle, out var entry)
            ? entry.Job
            : throw new RecipeApiException("this Python job was already waited for");

    public long AddFifo(long target, FifoReader reader)
    {
        fifos[++lastHandle] = (target, reader);
        return lastHandle;
    }

    public FifoReader Fifo(long handle) =>
        fifos.TryGetValue(handle, out var entry)
            ? entry.Reader
            : throw new RecipeApiException("this fifo was closed");

    /// <summary>Closes the FIFO if it is still open.</summary>
    public void CloseFifo(long handle)
    {
        if (fifos.Remove(handle, out var entry))
            Blocking.Wait(entry.Reader.DisposeAsync());
    }

    /// <summary>Ends the target's jobs, closes its FIFOs, then detaches from it (if still attached).</summary>
    public void Detach(long handle)
    {
        foreach (var (key, entry) in jobs.Where(j => j.Value.Target == handle).ToList())
        {
            jobs.Remove(key);
            Blocking.Wait(entry.Job.DisposeAsync());
        }
        foreach (var (key, entry) in fifos.Where(f => f.Value.Target == handle).ToList())
        {
            fifos.Remove(key);
            Blocking.Wait(entry.Reader.DisposeAsync());
        }
        if (targets.Remove(handle, out var target))
            Blocking.Wait(target.DisposeAsync());
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (_, job) in jobs.Values)
            await job.DisposeAsync().ConfigureAwait(false);
        foreach (var (_, reader) in fifos.Values)
            await reader.DisposeAsync().ConfigureAwait(false);
        foreach (var target in targets.Values)
            await target.DisposeAsync().ConfigureAwait(false);
        jobs.Clear();
        fifos.Clear();
        targets.Clear();
    }
}
