using System.Globalization;
using Host.Abstractions;

namespace Host.Plugins.Profile;

/// <summary>What `host run profile` was asked for, checked: a bad value is a usage error in one line.</summary>
internal sealed record ProfileRequest(int Rate, TimeSpan? Duration, string? Format, bool Idle, bool Blocking)
{
    /// <summary>
    /// py-spy's and austin's one-shot figures are per sample; 100 Hz is py-spy's default too: a
    /// few thousand samples a minute tell a 1% function apart, and a sample costs the target nothing
    /// when the threads are not stopped.
    /// </summary>
    public const int DefaultRate = 100;

    /// <summary>Above this a sample's own read (about a millisecond) cannot keep up anyway.</summary>
    public const int MaxRate = 10_000;

    public static ProfileRequest From(ICapabilityArguments arguments)
    {
        var rate = arguments.GetInteger("rate") ?? DefaultRate;
        if (rate is < 1 or > MaxRate)
            throw new CapabilityException(ExitCodes.Usage, $"--rate must be between 1 and {MaxRate} samples per second, not {rate}");
        TimeSpan? duration = null;
        if (arguments.GetText("duration") is { } text)
        {
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || !(seconds > 0 && seconds <= 86_400))
                throw new CapabilityException(ExitCodes.Usage, $"--duration must be a number of seconds between 0 and 86400, not '{text}'");
            duration = TimeSpan.FromSeconds(seconds);
        }
        return new ProfileRequest((int)rate, duration, arguments.GetText("format"), arguments.GetFlag("idle"), arguments.GetFlag("blocking"));
    }
}
