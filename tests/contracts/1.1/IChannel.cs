namespace Host.Abstractions;

/// <summary>Primitive 4: a one-way channel from the target to the host carrying lines of text.</summary>
public interface IChannel : IAsyncDisposable
{
    /// <summary>The path the target opens for writing, as seen from inside the target.</summary>
    string PathInTarget { get; }

    /// <summary>
    /// Reads lines until the target closes the channel. Throws <see cref="CapabilityException"/>
    /// with <see cref="ExitCodes.Timeout"/> when the target does not open the channel within
    /// <paramref name="openTimeout"/> (e.g. a thread holds the GIL and does not release it).
    /// </summary>
    IAsyncEnumerable<string> ReadLinesAsync(TimeSpan openTimeout, CancellationToken cancellationToken);
}
