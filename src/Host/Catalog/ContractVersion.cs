using System.Reflection;
using Host.Abstractions;

namespace Host.Catalog;

/// <summary>
/// The plugin contract (Host.Abstractions) follows semantic versioning: a plugin built against
/// contract x.y loads in a host whose contract is x.z with z ≥ y. Checked from the plugin
/// assembly's references, before any of its types is resolved.
/// </summary>
internal static class ContractVersion
{
    public static Version Host { get; } = typeof(ICapability).Assembly.GetName().Version!;

    /// <summary>Why the plugin cannot work with this host's contract, or null when it can.</summary>
    public static string? Incompatibility(Assembly plugin)
    {
        foreach (var reference in plugin.GetReferencedAssemblies())
        {
            if (reference.Name != "Host.Abstractions" || reference.Version is not { } wanted)
                continue;
            if (wanted.Major != Host.Major)
                return $"built against plugin contract {wanted.ToString(3)}, but this host has contract {Host.ToString(3)}: a different major version is incompatible; rebuild the plugin against Host.Abstractions {Host.Major}.x";
            if (wanted.Minor > Host.Minor)
                return $"built against plugin contract {wanted.ToString(3)}, newer than this host's contract {Host.ToString(3)}; update host, or build the plugin against Host.Abstractions {Host.ToString(2)}";
        }
        return null;
    }
}
