using System.Reflection;

namespace Host;

/// <summary>Text files compiled into the host: the gdb driver and the safe-point policy it reads, the payload prelude, the recipe sandbox and helpers.</summary>
internal static class EmbeddedFile
{
    public static string Read(string logicalName)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(logicalName)
            ?? throw new InvalidOperationException($"resource {logicalName} is missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
