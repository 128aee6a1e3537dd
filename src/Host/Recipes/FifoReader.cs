using Host.Abstractions;

namespace Host.Recipes;

/// <summary>
/// A FIFO a recipe opened with target:fifo(), read a line at a time (ch:lines()). Waiting for the
/// target to open it is bounded by the wait timeout; after that a line is waited for until the
/// writer closes it, the recipe is stopped (--timeout, Ctrl-C) or the FIFO is closed.
/// </summary>
internal sealed class FifoReader(IChannel channel, TimeSpan openTimeout, CancellationToken cancellationToken) : IAsyncDisposable
{
    private IAsyncEnumerator<string>? _lines;
    private bool _ended;

    public string PathInTarget => channel.PathInTarget;

    /// <summary>The next line, or null once the writer has closed the FIFO.</summary>
    public string? Next()
    {
        if (_ended)
            return null;
        _lines ??= channel.ReadLinesAsync(openTimeout, cancellationToken).GetAsyncEnumerator(cancellationToken);
        if (_lines.MoveNextAsync().AsTask().GetAwaiter().GetResult())
            return _lines.Current;
        _ended = true;
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_lines is not null)
            await _lines.DisposeAsync().ConfigureAwait(false);
        await channel.DisposeAsync().ConfigureAwait(false);
    }
}
