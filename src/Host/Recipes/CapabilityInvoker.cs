using System.Text.Json;
using Host.Abstractions;
using Host.Execution;

namespace Host.Recipes;

/// <summary>
/// `run("stackdump", {locals = true})` in a recipe: runs a capability as `host run` would, with its
/// output captured. A capability with `--format json` is asked for JSON, which the recipe gets as
/// tables (a producer of stacks, <see cref="IStackSource"/>, gives its stack model directly); any
/// other returns its text.
/// </summary>
internal static class CapabilityInvoker
{
    public static async Task<(string Output, bool IsJson)> RunAsync(RecipeHost host, string name, JsonElement options, int? defaultPid, CancellationToken cancellationToken)
    {
        var capability = host.Capabilities.Runnable.FirstOrDefault(e => e.Name == name)?.Capability
            ?? throw new CapabilityException(ExitCodes.Usage, $"run: there is no capability named '{name}'", "host list shows them; a recipe's own Lua modules are loaded with require()");
        var pid = options.ValueKind == JsonValueKind.Object && options.TryGetProperty("pid", out var given) && given.TryGetInt32(out var number)
            ? number
            : defaultPid ?? throw new CapabilityException(ExitCodes.Usage, $"run(\"{name}\"): which process? give {{pid = N}}, or run the recipe with --pid");
        var arguments = new OptionValues(capability, options, ["pid"]);
        var askedFormat = options.ValueKind == JsonValueKind.Object && options.TryGetProperty("format", out var format) ? format.ToString() : null;
        var json = askedFormat is null ? capability.Options.Any(o => o.Name == "format" && o.Choices.Contains("json")) : askedFormat == "json";
        if (askedFormat is null && json)
            arguments.Set("format", "json");
        await using var output = new StringWriter();
        var context = new CapabilityContext(pid, arguments, TargetAccessInjectors.For(capability, () => host.Injector), output, host.Progress, host.WaitTimeout) { Access = capability.Access };
        // A producer of stacks gives the model itself; its JSON is the same as its --format json.
        if (json && capability is IStackSource stacks)
        {
            var model = await stacks.ReadStacksAsync(context, cancellationToken).ConfigureAwait(false);
            return (JsonSerializer.Serialize(model, StackJson.Default.PythonStacks), true);
        }
        var exitCode = await capability.RunAsync(context, cancellationToken).ConfigureAwait(false);
        if (exitCode != ExitCodes.Ok)
            throw new CapabilityException(exitCode, $"{name} ended with exit code {exitCode}");
        return (output.ToString(), json);
    }
}
