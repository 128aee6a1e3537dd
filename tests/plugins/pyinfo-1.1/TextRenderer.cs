using System.Text.Json;

namespace PyInfo;

/// <summary>The answer as aligned "key: value" lines; lists one item per line.</summary>
internal static class TextRenderer
{
    public static void Write(JsonElement info, TextWriter output)
    {
        var width = info.EnumerateObject().Max(p => p.Name.Length) + 1;
        foreach (var property in info.EnumerateObject())
        {
            var label = (property.Name + ":").PadRight(width + 1);
            switch (property.Value.ValueKind)
            {
                case JsonValueKind.Array:
                    output.WriteLine($"{label}{string.Join(" ", property.Value.EnumerateArray().Select(Text))}");
                    break;
                case JsonValueKind.Object:
                    output.WriteLine(label.TrimEnd());
                    foreach (var entry in property.Value.EnumerateObject().OrderBy(e => e.Name, StringComparer.Ordinal))
                        output.WriteLine($"  {entry.Name}={Text(entry.Value)}");
                    break;
                default:
                    output.WriteLine($"{label}{Text(property.Value)}");
                    break;
            }
        }
    }

    private static string Text(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
}
