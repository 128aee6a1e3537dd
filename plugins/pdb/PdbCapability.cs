using Host.Abstractions;

namespace Host.Plugins.Pdb;

/// <summary>`host run pdb`: a pdb prompt inside a running process, on the host's terminal.</summary>
public sealed class PdbCapability : ICapability
{
    public string Name => "pdb";

    public string Description => "Open a pdb prompt in a running process (main thread by default); quit or Ctrl-D detaches and lets it run on";

    public IReadOnlyList<CapabilityOption> Options { get; } =
    [
        new("thread", "The thread to stop: its name, ident or native id (default: the main thread)", OptionKind.Text),
        new("commands", "Run these pdb commands (separated by ';'), print their output and detach, without a prompt", OptionKind.Text),
    ];

    public Task<int> RunAsync(ICapabilityContext context, CancellationToken cancellationToken)
    {
        var script = context.Arguments.GetText("commands");
        ICommandSource commands = script is null ? new TerminalCommands() : new ScriptedCommands(script);
        return new PdbSession(context, commands, context.Arguments.GetText("thread"), Payload.Value).RunAsync(cancellationToken);
    }

    // The payload's parts, joined in this order into one source.
    private static readonly Lazy<string> Payload = new(() => PayloadSource.FromResources(typeof(PdbCapability).Assembly, "pdb_link.py", "pdb_host.py", "pdb_payload.py"));
}
