using System.Text.Json.Serialization;

namespace Host.Injection.Transports;

/// <summary>
/// One step of an injection plan: call a C function, or load and start the agent. Both transports
/// take the same plan; the gdb driver reads it as JSON (hence the names), host-inject as arguments.
/// </summary>
internal sealed record InjectionStep(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("function")] string? Function = null,
    [property: JsonPropertyName("returns")] string? Returns = null,
    [property: JsonPropertyName("args")] IReadOnlyList<object>? Args = null,
    [property: JsonPropertyName("agent")] string? Agent = null,
    [property: JsonPropertyName("session")] string? Session = null)
{
    public const string StartAgentKind = "start-agent";

    public static InjectionStep StartAgent(string agentPathInTarget, string entryPoint, string sessionPathInTarget) =>
        new(StartAgentKind, Function: entryPoint, Agent: agentPathInTarget, Session: sessionPathInTarget);

    public static InjectionStep CallFunction(string function, string returns, IReadOnlyList<object> args) =>
        new("call", function, returns, args);
}
