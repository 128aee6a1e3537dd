namespace Host.Linux;

/// <summary>
/// The few name shapes host checks (versions, hex ids, C identifiers), tested by hand: the regular
/// expression engine's first use costs milliseconds of start-up on every run.
/// </summary>
internal static class AsciiText
{
    public static bool IsDigits(ReadOnlySpan<char> text) => text.Length > 0 && !text.ContainsAnyExceptInRange('0', '9');

    public static bool IsLowerHex(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
                return false;
        }
        return text.Length > 0;
    }

    /// <summary>[A-Za-z_][A-Za-z0-9_]*: a name C could declare.</summary>
    public static bool IsCIdentifier(ReadOnlySpan<char> text)
    {
        if (text.Length == 0 || char.IsAsciiDigit(text[0]))
            return false;
        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
                return false;
        }
        return true;
    }

    /// <summary>The length of the dotted number of exactly <paramref name="parts"/> parts that starts <paramref name="text"/> ("3.11" for 2 parts), or 0.</summary>
    public static int DottedNumber(ReadOnlySpan<char> text, int parts)
    {
        var i = 0;
        for (var part = 0; part < parts; part++)
        {
            if (part > 0)
            {
                if (i >= text.Length || text[i] != '.')
                    return 0;
                i++;
            }
            var start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
                i++;
            if (i == start)
                return 0;
        }
        return i;
    }
}
