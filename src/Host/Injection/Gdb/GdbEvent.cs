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
    [property: JsonPropertyName("value")] System.Text.Json.JsonElement? Value = null)
{
    /// <summary>Reads one line by hand: the reflection serializer's first use costs milliseconds on every run.</summary>
    public static GdbEvent Parse(string line)
    {
        using var document = System.Text.Json.JsonDocument.Parse(line);
        var root = document.RootElement;
        return new GdbEvent(
            Text(root, "event") ?? "",
            Text(root, "kind"),
            Text(root, "message"),
            Text(root, "function"),
            root.TryGetProperty("value", out var value) ? value.Clone() : null);
    }

    private static string? Text(System.Text.Json.JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == System.Text.Json.JsonValueKind.String ? value.GetString() : null;
}
