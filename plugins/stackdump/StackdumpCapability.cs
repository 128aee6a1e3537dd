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
    ];

    public async Task<int> RunAsync(ICapabilityContext context, CancellationToken cancellationToken)
    {
        var dump = await ReadStacksAsync(context, cancellationToken).ConfigureAwait(false);
        if (context.Arguments.GetText("format") == "json")
            await context.Output.WriteLineAsync(JsonSerializer.Serialize(dump, StackJson.Default.PythonStacks)).ConfigureAwait(false);
        else
            TextRenderer.Write(dump, context.Output);
        return ExitCodes.Ok;
    }

    /// <summary>The stacks, with --locals from the context's arguments.</summary>
    public async Task<PythonStacks> ReadStacksAsync(ICapabilityContext context, CancellationToken cancellationToken)
    {
        var withLocals = context.Arguments.GetFlag("locals");
        context.Progress.Report($"attaching to process {context.Pid}");
        await using var target = await context.Injector.AttachAsync(context.Pid, cancellationToken).ConfigureAwait(false);
        await using var channel = await target.OpenChannelAsync("stackdump", cancellationToken).ConfigureAwait(false);
        var parameters = Parameters(channel.PathInTarget, withLocals);
        context.Progress.Report("stopping at a safe point to start the agent thread");
        await target.RunPythonAsync(new PythonPayload("stackdump", Payload.Value, parameters), cancellationToken).ConfigureAwait(false);
        context.Progress.Report("agent thread started; waiting for it to take the GIL and send the stacks");
        return await DumpReader.ReadAsync(channel, target.Process, context.Timeout, cancellationToken).ConfigureAwait(false);
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
