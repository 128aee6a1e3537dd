using System.Text.Json;
using Host.Abstractions;

namespace PyInfo;

/// <summary>`host run pyinfo`: what interpreter a running process is, and how it was started.</summary>
public sealed class PyInfoCapability : ICapability
{
    public string Name => "pyinfo";

    public string Description => "Show a process's interpreter: version, executable, arguments, working directory, threads, modules (--env: its environment)";

    public IReadOnlyList<CapabilityOption> Options { get; } =
    [
        new("env", "Also show the process's environment variables", OptionKind.Flag),
        new("format", "Output format", OptionKind.Choice) { DefaultValue = "text", Choices = ["text", "json"] },
    ];

    public async Task<int> RunAsync(ICapabilityContext context, CancellationToken cancellationToken)
    {
        context.Progress.Report($"attaching to process {context.Pid}");
        await using var target = await context.Injector.AttachAsync(context.Pid, cancellationToken);
        await using var channel = await target.OpenChannelAsync("pyinfo", cancellationToken);
        // Parameters are data: the payload reads them as the dict PARAMS, never as source.
        var parameters = JsonSerializer.Serialize(new { channel = channel.PathInTarget, env = context.Arguments.GetFlag("env") });
        context.Progress.Report("starting the payload at a safe point");
        await target.RunPythonAsync(new PythonPayload("pyinfo", Payload.Source, parameters), cancellationToken);
        context.Progress.Report("waiting for the payload's answer");
        var info = await InfoReader.ReadAsync(channel, context.Pid, context.Timeout, cancellationToken);
        context.Progress.Report("");
        if (context.Arguments.GetText("format") == "json")
            await context.Output.WriteLineAsync(info.GetRawText());
        else
            TextRenderer.Write(info, context.Output);
        return ExitCodes.Ok;
    }
}
