using System.Text.Json.Serialization;

namespace Host.Injection.Gdb;

/// <summary>One line the gdb driver writes to its result file.</summary>
internal sealed record GdbEvent(
    [property: JsonPropertyName("event")] string Event,
    [property: JsonPropertyName("kind")] string? Kind = null,
    [property: JsonPropertyName("message")] string? Message = null,
    [property: JsonPropertyName("function")] string? Function = null,
    [property: JsonPropertyName("value")] System.Text.Json.JsonElement? Value = null,
    [property: JsonPropertyName("tid")] int? Tid = null,
    [property: JsonPropertyName("how")] string? How = null,
    [property: JsonPropertyName("threads")] int? Threads = null);
