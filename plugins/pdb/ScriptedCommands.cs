namespace Host.Plugins.Pdb;

/// <summary>--commands "where;p x;continue": run in order, then detach.</summary>
internal sealed class ScriptedCommands(string script) : ICommandSource
{
    private readonly Queue<string> _commands = new(script.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));

    public bool IsScripted => true;

    public bool IsExhausted => _commands.Count == 0;

    public Task<string?> NextAsync(CancellationToken cancellationToken) =>
        Task.FromResult(_commands.TryDequeue(out var command) ? command : null);
}
