using System.Threading.Channels;

namespace Host.Plugins.Pdb;

/// <summary>
/// Lines typed by the user: at a terminal through <see cref="LineEditor"/>, otherwise (piped in)
/// as they come. End of input (Ctrl-D) detaches.
/// </summary>
internal sealed class TerminalCommands : ICommandSource
{
    private readonly LineEditor? _editor = Console.IsInputRedirected ? null : new LineEditor();
    private readonly Channel<string?> _piped = Channel.CreateUnbounded<string?>();
    private int _started;

    public bool IsScripted => false;

    public bool IsExhausted => false;

    /// <summary>Asks the target for completions of a line (Tab).</summary>
    public Func<string, Task<Completions?>>? Completer { get; set; }

    /// <summary>What is on the screen before the cursor: pdb's prompt, re-shown after Ctrl-C.</summary>
    public string Prompt { get; set; } = "(Pdb) ";

    public async Task<string?> NextAsync(CancellationToken cancellationToken)
    {
        if (_editor is not null)
            return await Task.Run(() => _editor.ReadLine(Prompt, Complete), cancellationToken).ConfigureAwait(false);
        if (Interlocked.Exchange(ref _started, 1) == 0)
            _ = Task.Run(ReadPiped, CancellationToken.None);
        return await _piped.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
    }

    private Completions? Complete(string line) => Completer?.Invoke(line).GetAwaiter().GetResult();

    private async Task ReadPiped()
    {
        // One reader for the whole session: a line piped in while the thread runs waits for the next prompt.
        while (await Console.In.ReadLineAsync().ConfigureAwait(false) is { } line)
            await _piped.Writer.WriteAsync(line).ConfigureAwait(false);
        await _piped.Writer.WriteAsync(null).ConfigureAwait(false);
    }
}
