using Host.Abstractions;

namespace Host.Plugins.Settrace;

/// <summary>`host run settrace`: live call tracing of every thread, removed cleanly at the end.</summary>
public sealed class SettraceCapability : ICapability
{
    public string Name => "settrace";

    public string Description => "Stream every thread's Python calls live; Ctrl-C removes every hook and leaves the process as it was";

    public IReadOnlyList<CapabilityOption> Options { get; } =
    [
        new("events", "Events to show, comma-separated: call, return (with elapsed time), exception", OptionKind.Text) { DefaultValue = "call" },
        new("filter", "Only functions whose module, qualified name, module.name or file matches one of these globs (comma-separated)", OptionKind.Text),
        new("exclude", "Leave out functions matching any of these globs (comma-separated)", OptionKind.Text),
        new("include-stdlib", "Also trace the standard library (left out by default unless --filter names it)", OptionKind.Flag),
        new("thread", "Only the thread with this name (a glob), ident or native id", OptionKind.Text),
        new("max-depth", "Only calls at most this deep below where tracing began (0 = the outermost traced calls)", OptionKind.Integer),
        new("duration", "Stop after this many seconds (default: at Ctrl-C)", OptionKind.Text),
        new("format", "Output format: text, or json (one object per line)", OptionKind.Choice) { DefaultValue = "text", Choices = ["text", "json"] },
        new("summary", "End with the number of calls per function", OptionKind.Flag),
        new("lossless", "Make the target wait when the reader falls behind, instead of dropping (and counting) events", OptionKind.Flag),
    ];

    public Task<int> RunAsync(ICapabilityContext context, CancellationToken cancellationToken) =>
        new TraceSession(context, TraceRequest.From(context.Arguments), Payload.Value).RunAsync(cancellationToken);

    // The payload's parts, joined in this order into one source.
    private static readonly Lazy<string> Payload = new(() => PayloadSource.FromResources(typeof(SettraceCapability).Assembly, "settrace_names.py", "settrace.py"));
}
