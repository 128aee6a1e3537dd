namespace PyInfo;

/// <summary>The Python payload template, shipped inside the plugin assembly as a resource.</summary>
internal static class Payload
{
    private static readonly Lazy<string> Text = new(() =>
    {
        using var stream = typeof(Payload).Assembly.GetManifestResourceStream("pyinfo.py")!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    public static string Source => Text.Value;
}
