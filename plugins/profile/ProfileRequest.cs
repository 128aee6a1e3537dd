using System.Globalization;
using Host.Abstractions;

namespace Host.Plugins.Profile;

/// <summary>What `host run profile` (or `top`) was asked for, checked: a bad value is a usage error in one line.</summary>
internal sealed record ProfileRequest(int Rate, TimeSpan? Duration, string? Format, bool Idle, bool Blocking)
{
    /// <summary>
    /// 100 Hz, as py-spy: measured on bench/profile, a sample of a 9-thread target costs host about
    /// 0.15 ms of CPU and the target nothing it can measure when its threads run on, so 100 Hz is
    /// under 2% of a core for host; a minute gives 6,000 samples, which tells a 1% function apart within
    /// a fraction of a point. --rate goes higher for short runs.
    /// </summary>
    public const int DefaultRate = 100;

    /// <summary>
    /// A sample of a small target takes host about 50 µs to read, so 20 kHz is where the reads
    /// alone fill a core; asking more would only be missed ticks.
    /// </summary>
    public const int MaxRate = 20_000;

    /// <summary>Only the thread holding the GIL (--gil).</summary>
    public bool Gil { get; init; }

    /// <summary>One profile per thread (--threads).</summary>
    public bool Threads { get; init; }

    /// <summary>Also sample the target's Python descendants (--subprocesses).</summary>
    public bool Subprocesses { get; init; }

    /// <param name="top">For `top`, which has no --format or --threads.</param>
    public static ProfileRequest From(ICapabilityArguments arguments, bool top = false)
    {
        var rate = arguments.GetInteger("rate") ?? DefaultRate;
        if (rate < 1)
            throw new CapabilityException(ExitCodes.Usage, $"--rate must be at least 1 sample per second, not {rate}");
        if (rate > MaxRate)
            throw new CapabilityException(ExitCodes.Usage,
                $"--rate must be at most {MaxRate} samples per second, not {rate}",
                "a sample takes host tens of microseconds to read: a higher rate would only be missed ticks");
        TimeSpan? duration = null;
        if (arguments.GetText("duration") is { } text)
        {
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || !(seconds > 0 && seconds <= 86_400))
                throw new CapabilityException(ExitCodes.Usage, $"--duration must be a number of seconds between 0 and 86400, not '{text}'");
            duration = TimeSpan.FromSeconds(seconds);
        }
        return new ProfileRequest((int)rate, duration, top ? null : arguments.GetText("format"), arguments.GetFlag("idle"), arguments.GetFlag("blocking"))
        {
            Gil = arguments.GetFlag("gil"),
            Threads = !top && arguments.GetFlag("threads"),
            Subprocesses = arguments.GetFlag("subprocesses"),
        };
    }
}
