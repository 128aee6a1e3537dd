using System.Globalization;

namespace Host.Abstractions;

/// <summary>A CPython version as sys.version_info has it (contract 1.2).</summary>
/// <param name="Major">3 for 3.11.7.</param>
/// <param name="Minor">11 for 3.11.7.</param>
/// <param name="Micro">Null where only major.minor could be learned from outside.</param>
/// <param name="ReleaseLevel">"alpha", "beta", "candidate" or "final".</param>
/// <param name="Serial">2 for 3.15.0b2.</param>
public sealed record InterpreterVersion(int Major, int Minor, int? Micro, string ReleaseLevel = "final", int Serial = 0)
{
    /// <summary>As Python prints it: "3.14.7", "3.15.0b2", "3.6" when the micro version is unknown.</summary>
    public override string ToString()
    {
        var text = Micro is { } micro
            ? string.Create(CultureInfo.InvariantCulture, $"{Major}.{Minor}.{micro}")
            : string.Create(CultureInfo.InvariantCulture, $"{Major}.{Minor}");
        return ReleaseLevel switch
        {
            "alpha" => text + "a" + Serial.ToString(CultureInfo.InvariantCulture),
            "beta" => text + "b" + Serial.ToString(CultureInfo.InvariantCulture),
            "candidate" => text + "rc" + Serial.ToString(CultureInfo.InvariantCulture),
            _ => text,
        };
    }

    /// <summary>Reads "3.11", "3.11.7", "3.15.0b2", "3.14.0rc1" (a trailing ABI "t" is ignored); null for anything else.</summary>
    public static InterpreterVersion? Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return null;
        text = text.TrimEnd('t');
        var level = "final";
        var serial = 0;
        foreach (var (marker, name) in new[] { ("rc", "candidate"), ("a", "alpha"), ("b", "beta") })
        {
            var at = text.IndexOf(marker, StringComparison.Ordinal);
            if (at < 0)
                continue;
            if (!int.TryParse(text.AsSpan(at + marker.Length), NumberStyles.None, CultureInfo.InvariantCulture, out serial))
                return null;
            level = name;
            text = text[..at];
            break;
        }
        var parts = text.Split('.');
        if (parts.Length is < 2 or > 3 || !parts.All(IsNumber))
            return null;
        int Part(int i) => int.Parse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture);
        return new InterpreterVersion(Part(0), Part(1), parts.Length == 3 ? Part(2) : null, level, serial);
    }

    private static bool IsNumber(string part) => part.Length is > 0 and < 5 && part.All(char.IsAsciiDigit);
}
