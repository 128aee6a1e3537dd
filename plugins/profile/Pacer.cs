using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Host.Plugins.Profile;

/// <summary>
/// Keeps samples on a fixed schedule: tick n is due at n / rate seconds. A sample that overruns
/// its interval makes the ticks that passed count as missed, and the schedule goes on from the
/// next tick still ahead, so the rate does not drift. Waits are nanosleeps with a tight timer
/// slack (the kernel otherwise lets a sleep run 50 µs late, a whole interval at 20 kHz), in
/// slices short enough that a stop request is seen within a few milliseconds.
/// </summary>
internal sealed partial class Pacer
{
    private const int PR_SET_TIMERSLACK = 29;
    private static readonly TimeSpan Slice = TimeSpan.FromMilliseconds(20);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly double _interval;
    private long _tick;

    public Pacer(int rate)
    {
        _interval = 1.0 / rate;
        // Per thread: call it from the thread that will wait.
        _ = SetTimerSlack(PR_SET_TIMERSLACK, 1000, 0, 0, 0);
    }

    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Ticks that came and went while a sample was still being read.</summary>
    public long Missed { get; private set; }

    /// <summary>Waits for the next tick; false when <paramref name="stop"/> was set first.</summary>
    public bool WaitNext(Func<bool> stop)
    {
        _tick++;
        var now = _clock.Elapsed.TotalSeconds;
        var due = _tick * _interval;
        if (due < now)
        {
            // Late: the ticks already past are missed; sample now, and keep to the grid after.
            var late = (long)((now - due) / _interval);
            Missed += late;
            _tick += late;
            return !stop();
        }
        while (true)
        {
            if (stop())
                return false;
            var left = due - _clock.Elapsed.TotalSeconds;
            if (left <= 0)
                return true;
            Sleep(Math.Min(left, Slice.TotalSeconds));
        }
    }

    private static void Sleep(double seconds)
    {
        var wait = new TimeSpec { Seconds = (long)seconds, Nanoseconds = (long)((seconds - Math.Floor(seconds)) * 1e9) };
        _ = NanoSleep(in wait, 0);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "nanosleep")]
    private static partial int NanoSleep(in TimeSpec duration, nint remaining);

    [LibraryImport("libc", EntryPoint = "prctl")]
    private static partial int SetTimerSlack(int option, ulong slack, ulong a, ulong b, ulong c);
}
