using Host.Abstractions;

namespace PyInfo;

/// <summary>The Python payload template, shipped inside the plugin assembly as a resource.</summary>
internal static class Payload
{
    private static readonly Lazy<string> Text = new(() => PayloadSource.FromResources(typeof(Payload).Assembly, "pyinfo.py"));

    public static string Source => Text.Value;
}
