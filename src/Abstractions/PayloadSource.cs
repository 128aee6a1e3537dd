using System.Reflection;
using System.Text;

namespace Host.Abstractions;

/// <summary>Loads a payload's Python source shipped as embedded resources of a plugin (contract 1.2).</summary>
public static class PayloadSource
{
    /// <summary>
    /// The resources' text joined in the given order, one newline after each: a payload may be kept
    /// in several files, one concept each. A missing resource is a packaging mistake: it throws.
    /// </summary>
    public static string FromResources(Assembly assembly, params string[] logicalNames)
    {
        var source = new StringBuilder();
        foreach (var name in logicalNames)
        {
            using var stream = assembly.GetManifestResourceStream(name)
                ?? throw new InvalidOperationException($"{assembly.GetName().Name} has no embedded resource '{name}' (the payload's source)");
            using var reader = new StreamReader(stream);
            source.Append(reader.ReadToEnd()).Append('\n');
        }
        return source.ToString();
    }
}
