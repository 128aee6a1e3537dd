using System.Globalization;
using Host.Abstractions;

namespace Host.Plugins.Profile;

/// <summary>
/// The sampling loop of `profile` and `top`: on one dedicated thread (ptrace ties the threads a
/// blocking sample stops to the thread that stops them), every tick of a <see cref="Pacer"/> reads
/// each source's threads once and hands each thread-stack worth counting to a sink. It ends at the
/// duration, when asked to stop, or when the target exits; nothing runs in the target.
/// </summary>
internal sealed class SamplingRun
{
    /// <summary>A source may fail this many samples in a row before it is given up with its last error.</summary>
    private const int FailuresInARow = 50;
    private readonly ProfileResult _result;
    private readonly SampleSources _sources;
    private readonly Action<int, SampledThread> _count;

    /// <param name="count">Called for each thread-stack counted, with its source's index, on the sampling thread.</param>
    public SamplingRun(ProfileResult result, SampleSources sources, Action<int, SampledThread> count)
    {
        _result = result;
        _sources = sources;
        _count = count;
    }

    /// <summary>Called on the sampling thread every <see cref="EveryInterval"/> with the time elapsed: for a status line, or top's table.</summary>
    public Action<TimeSpan>? Every { get; init; }

    public TimeSpan EveryInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Called on the sampling thread with each source's sample as read, before its threads are counted.</summary>
    public Action<int, StackSample>? OnSample { get; init; }

    /// <summary>Samples until done, on a thread of its own; the task ends when sampling has (the threads are all released by then).</summary>
    public Task RunAsync(CancellationToken stop)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Loop(stop);
                done.SetResult();
            }
            catch (Exception error)
            {
                done.SetException(error);
            }
        })
        { IsBackground = true, Name = "host sampler" };
        thread.Start();
        return done.Task;
    }

    private void Loop(CancellationToken stop)
    {
        var request = _result.Request;
        var pacer = new Pacer(request.Rate);
        var reportedAt = TimeSpan.Zero;
        bool Over() => stop.IsCancellationRequested || request.Duration is { } duration && pacer.Elapsed >= duration;
        do
        {
            _sources.Scan(pacer.Elapsed);
            for (var index = 0; index < _sources.Count && _result.EndedEarly is null; index++)
            {
                if (_sources.IsAlive(index))
                    SampleOnce(index);
            }
            _result.Samples++;
            if (_result.EndedEarly is not null)
                break;
            if (pacer.Elapsed - reportedAt >= EveryInterval)
            {
                reportedAt = pacer.Elapsed;
                _result.Elapsed = pacer.Elapsed;
                Every?.Invoke(pacer.Elapsed);
            }
        }
        while (pacer.WaitNext(Over));
        _result.Elapsed = pacer.Elapsed;
        _result.Missed = pacer.Missed;
    }

    private void SampleOnce(int index)
    {
        var sampler = _sources.Sampler(index);
        StackSample sample;
        try
        {
            sample = sampler.Sample();
            _sources.Succeeded(index);
        }
        catch (CapabilityException error) when (error.ExitCode == ExitCodes.TargetNotFound)
        {
            if (index == 0)
                _result.EndedEarly = $"process {sampler.Process.Pid} exited";
            else
                _sources.Drop(index, string.Create(CultureInfo.InvariantCulture, $"exited at {_result.Elapsed.TotalSeconds:0.0} s"));
            return;
        }
        catch (CapabilityException error)
        {
            var inARow = _sources.Failed(index);
            if (index == 0 && inARow >= FailuresInARow)
                throw;
            // Unreadable this once (memory freed under the read, say): counted, and sampling goes on.
            _result.Fail(error.Message);
            if (inARow >= FailuresInARow)
                _sources.Drop(index, $"could not be read {FailuresInARow} times in a row, left: {error.Message}");
            return;
        }
        if (sample.Failure is { } failure)
        {
            _result.Fail(failure);
            return;
        }
        OnSample?.Invoke(index, sample);
        foreach (var thread in sample.Threads)
            Consider(index, thread);
    }

    private void Consider(int index, SampledThread thread)
    {
        _result.ThreadStacksRead++;
        if (thread.Failure is { } failure)
            _result.Fail(failure);
        else if (thread.Frames.Length == 0)
            return; // no Python frame (a thread starting, or running only C)
        else if (_result.Request.Gil && thread.HoldsGil != true)
            _result.GilLeftOut++;
        else if (!_result.Request.Idle && thread.State == ThreadStates.Idle)
            _result.IdleLeftOut++;
        else
            _count(index, thread);
    }
}
