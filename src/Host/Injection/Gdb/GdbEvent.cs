using System.Text.Json.Serialization;

namespace Host.Injection.Gdb;

/// <summary>
/// One line the gdb driver writes to its result file. The driver also reports the safe point it
/// chose ("safe-point", with tid and how); those lines stay in the file for debugging only.
/// </summary>
internal sealed record GdbEvent(
    [property: JsonPropertyName("event")] string Event,
    [property: JsonPropertyName("kind")] string? Kind = null,
    [property: JsonPropertyName("message")] string? Message = null,
    [property: JsonPropertyName("function")] string? Function = null,
    [property: JsonPropertyName("value")] System.Text.Json.JsonElement? Value = null);
