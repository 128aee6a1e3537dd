using System.Threading.Channels;

namespace Host.Plugins.Pdb;

/// <summary>Lines typed by the user (or piped in); end of input (Ctrl-D) detaches.</summary>
internal sealed class TerminalCommands : ICommandSource
{
    private readonly Channel<string?> _lines = Channel.CreateUnbounded<string?>();
    private int _started;

    public bool IsScripted => false;

    public bool IsExhausted => false;

    public async Task<string?> NextAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
            _ = Task.Run(ReadAll, CancellationToken.None);
        return await _lines.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task ReadAll()
    {
        // One reader for the whole session: a line typed while the thread runs waits for the next prompt.
        while (await Console.In.ReadLineAsync().ConfigureAwait(false) is { } line)
            await _lines.Writer.WriteAsync(line).ConfigureAwait(false);
        await _lines.Writer.WriteAsync(null).ConfigureAwait(false);
    }
}
