using System.Text.Json;

namespace Host.Injection.Transports;

/// <summary>
/// One line a transport reports: "result" (a step's value), "error" (with a <see cref="FailureKind"/>),
/// "detached". Both also report the safe point they chose ("safe-point", with tid and how); those
/// lines are kept for debugging only.
/// </summary>
internal sealed record InjectionEvent(string Event, string? Kind = null, string? Message = null, string? Function = null, JsonElement? Value = null)
{
    /// <summary>What went wrong, for an "error" event.</summary>
    public FailureKind Failure => FailureKinds.Parse(Kind);

    /// <summary>Reads one line by hand: the reflection serializer's first use costs milliseconds on every run.</summary>
    public static InjectionEvent Parse(string line)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        return new InjectionEvent(
            Text(root, "event") ?? "",
            Text(root, "kind"),
            Text(root, "message"),
            Text(root, "function"),
            root.TryGetProperty("value", out var value) ? value.Clone() : null);
    }

    public static InjectionEvent Error(FailureKind kind, string message) => new("error", FailureKinds.Name(kind), message);

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
