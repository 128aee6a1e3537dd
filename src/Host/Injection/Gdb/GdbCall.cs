using System.Text.Json.Serialization;

namespace Host.Injection.Gdb;

/// <summary>One step of a gdb plan: call a C function, or load and start the agent.</summary>
internal sealed record GdbCall(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("function")] string? Function = null,
    [property: JsonPropertyName("returns")] string? Returns = null,
    [property: JsonPropertyName("args")] IReadOnlyList<object>? Args = null,
    [property: JsonPropertyName("agent")] string? Agent = null,
    [property: JsonPropertyName("session")] string? Session = null)
{
    public static GdbCall StartAgent(string agentPathInTarget, string entryPoint, string sessionPathInTarget) =>
        new("start-agent", Function: entryPoint, Agent: agentPathInTarget, Session: sessionPathInTarget);

    public static GdbCall CallFunction(string function, string returns, IReadOnlyList<object> args) =>
        new("call", function, returns, args);
}
