namespace Host.Abstractions;

/// <summary>
/// Primitive 4, the other way: a one-way channel from the host to the target carrying lines of
/// text (e.g. "stop"). Disposing it closes the host's end, and the target reads end of file, which
/// is also what it reads if the host is killed: a payload that waits on it always learns when its
/// host is gone.
/// </summary>
public interface ICommandChannel : IAsyncDisposable
{
    /// <summary>The path the target opens for reading, as seen from inside the target.</summary>
    string PathInTarget { get; }

    /// <summary>Sends one line (a newline is added). Never blocks for long: a full channel is an error.</summary>
    Task SendLineAsync(string line, CancellationToken cancellationToken);
}
