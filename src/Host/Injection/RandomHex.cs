namespace Host.Injection;

/// <summary>
/// Unpredictable hex digits for private names, read from the kernel's random source: the same
/// quality as RandomNumberGenerator, without initialising OpenSSL (milliseconds on every run).
/// </summary>
internal static class RandomHex
{
    public static string Of(int bytes)
    {
        var buffer = new byte[bytes];
        using (var random = new FileStream("/dev/urandom", FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0))
            random.ReadExactly(buffer);
        return Convert.ToHexString(buffer).ToLowerInvariant();
    }
}
