using System.Text.Json;
using Host.Abstractions;

namespace Host.Plugins.Stackdump;

/// <summary>`host run stackdump`: every thread's Python stack of a live process.</summary>
public sealed class StackdumpCapability : ICapability, IStackSource
{
    public string Name => "stackdump";

    public string Description => "Print every thread's Python stack, outermost frame first, like a traceback";

    public IReadOnlyList<CapabilityOption> Options { get; } =
    [
        new("locals", "Also show every frame's local variables (length-bounded reprs)", OptionKind.Flag) { Alias = "l" },
        new("format", "Output format", OptionKind.Choice) { DefaultValue = "text", Choices = ["text", "json"] },
        new("method", "How to get the stacks: inject (run code in the target: full reprs), read (read its memory from outside: works on a hung process, runs nothing in it), or auto (inject where that can work, else read)", OptionKind.Choice) { DefaultValue = "auto", Choices = ["auto", "inject", "read"] },
        new("nonblocking", "When reading, do not stop the threads for the read: no pause at all, but a stack may be torn", OptionKind.Flag),
    ];

    public async Task<int> RunAsync(ICapabilityContext context, CancellationToken cancellationToken)
    {
        var dump = await ReadStacksAsync(context, cancellationToken).ConfigureAwait(false);
        if (context.Arguments.GetText("format") == "json")
            await WriteJsonAsync(dump, context.Output).ConfigureAwait(false);
        else
            TextRenderer.Write(dump, context.Output);
        return ExitCodes.Ok;
    }

    // Apart, so that a text dump never loads System.Text.Json.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static Task WriteJsonAsync(PythonStacks dump, TextWriter output) => output.WriteLineAsync(JsonSerializer.Serialize(dump, StackJson.Default.PythonStacks));

    /// <summary>The stacks, by the method and with the options the context's arguments give.</summary>
    public Task<PythonStacks> ReadStacksAsync(ICapabilityContext context, CancellationToken cancellationToken)
    {
        var options = new StackReadOptions { Locals = context.Arguments.GetFlag("locals"), Nonblocking = context.Arguments.GetFlag("nonblocking") };
        return (context.Arguments.GetText("method") ?? "auto") switch
        {
            "inject" => InjectAsync(context, "asked for with --method inject", cancellationToken),
            "read" => ReadAsync(context, options, "asked for with --method read", cancellationToken),
            _ => MethodChoice.AutoAsync(context, options, InjectAsync, cancellationToken),
        };
    }

    internal static async Task<PythonStacks> ReadAsync(ICapabilityContext context, StackReadOptions options, string reason, CancellationToken cancellationToken)
    {
        context.Progress.Report($"reading process {context.Pid}'s memory");
        using var reader = await context.OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadStacksAsync(options, cancellationToken).ConfigureAwait(false) with { Reason = reason };
    }

    private static async Task<PythonStacks> InjectAsync(ICapabilityContext context, string reason, CancellationToken cancellationToken)
    {
        var withLocals = context.Arguments.GetFlag("locals");
        context.Progress.Report($"attaching to process {context.Pid}");
        await using var target = await context.Injector.AttachAsync(context.Pid, cancellationToken).ConfigureAwait(false);
        await using var channel = await target.OpenChannelAsync("stackdump", cancellationToken).ConfigureAwait(false);
        var parameters = Parameters(channel.PathInTarget, withLocals);
        context.Progress.Report("stopping at a safe point to start the agent thread");
        await target.RunPythonAsync(new PythonPayload("stackdump", Payload.Value, parameters), cancellationToken).ConfigureAwait(false);
        context.Progress.Report("agent thread started; waiting for it to take the GIL and send the stacks");
        var dump = await DumpReader.ReadAsync(channel, target.Process, context.Timeout, cancellationToken).ConfigureAwait(false);
        return dump with { Method = "inject", Reason = reason };
    }

    private static string Parameters(string channel, bool withLocals)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("channel", channel);
            json.WriteBoolean("locals", withLocals);
            json.WriteNumber("repr_limit", 200);
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static readonly Lazy<string> Payload = new(() => PayloadSource.FromResources(typeof(StackdumpCapability).Assembly, "stackdump.py"));
}
