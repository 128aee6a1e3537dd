using System.Reflection;
using Host.Abstractions;

namespace Host.Catalog;

/// <summary>
/// Loads one plugin folder in a load context of its own, sharing only the Abstractions types with
/// the host, and creates its capabilities. Any failure becomes a broken entry, never a crash.
/// </summary>
internal static class PluginAssemblyLoader
{
    public static IEnumerable<CatalogEntry> Load(string folder, string origin)
    {
        var assemblyPath = MainAssembly(folder);
        if (assemblyPath is null)
            return [new CatalogEntry(Path.GetFileName(folder), folder, origin, null, "no plugin assembly (a .dll with its .deps.json, or named like the folder)")];
        try
        {
            // Loading the assembly resolves none of its references: an incompatible plugin is
            // refused here, before a type of it meets this host's contract.
            var assembly = PluginLoadContext.Create(assemblyPath).LoadFromAssemblyPath(assemblyPath);
            if (ContractVersion.Incompatibility(assembly) is { } incompatible)
                return [new CatalogEntry(Path.GetFileName(folder), assemblyPath, origin, null, incompatible)];
            var version = VersionOf(assembly);
            var types = assembly.GetExportedTypes()
                .Where(t => typeof(ICapability).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
                .ToList();
            if (types.Count == 0)
                return [new CatalogEntry(Path.GetFileName(folder), assemblyPath, origin, null, $"{Path.GetFileName(assemblyPath)} has no public class implementing {nameof(ICapability)}")];
            return types.Select(type => Create(type, assemblyPath, origin, version)).ToList();
        }
        // Whatever a plugin folder holds (a corrupt .deps.json makes the loader throw
        // InvalidOperationException), it becomes a broken entry: it never stops host from starting.
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            return [new CatalogEntry(Path.GetFileName(folder), assemblyPath, origin, null, Describe(error))];
        }
    }

    private static CatalogEntry Create(Type type, string assemblyPath, string origin, string version)
    {
        try
        {
            var capability = (ICapability)Activator.CreateInstance(type)!;
            return new CatalogEntry(capability.Name, assemblyPath, origin, capability, null) { Version = version };
        }
        catch (Exception error)
        {
            var inner = error is TargetInvocationException { InnerException: { } cause } ? cause : error;
            var reason = inner is FileNotFoundException or FileLoadException ? Describe(inner) : $"{inner.GetType().Name}: {inner.Message}";
            return new CatalogEntry(GuessName(type), assemblyPath, origin, null, $"constructor of {type.FullName} failed: {reason}") { Version = version };
        }
    }

    // A capability that cannot be created cannot say its name: ThrowingConstructor is most likely
    // "throwing-constructor", which lets `host run throwing-constructor` explain what is wrong.
    private static string GuessName(Type type)
    {
        var name = type.Name.EndsWith("Capability", StringComparison.Ordinal) && type.Name.Length > "Capability".Length ? type.Name[..^"Capability".Length] : type.Name;
        return string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
    }

    // The informational version without its source-revision suffix ("1.2.0+abc123" is 1.2.0).
    private static string VersionOf(Assembly assembly)
    {
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        return informational?.Split('+')[0] ?? assembly.GetName().Version?.ToString(3) ?? "?";
    }

    private static string? MainAssembly(string folder)
    {
        var named = Path.Combine(folder, Path.GetFileName(folder) + ".dll");
        if (File.Exists(named))
            return named;
        var deps = Directory.GetFiles(folder, "*.deps.json");
        if (deps.Length == 1)
        {
            var dll = Path.Combine(folder, Path.GetFileName(deps[0])[..^".deps.json".Length] + ".dll");
            if (File.Exists(dll))
                return dll;
        }
        var dlls = Directory.GetFiles(folder, "*.dll");
        return dlls.Length == 1 ? dlls[0] : null;
    }

    // One line: loader messages can span several, and host list shows one per plugin.
    private static string Describe(Exception error) => string.Join(' ', DescribeLines(error).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static string DescribeLines(Exception error) => error switch
    {
        BadImageFormatException => "not a .NET assembly",
        ReflectionTypeLoadException types => "a type could not be loaded: " + (types.LoaderExceptions.FirstOrDefault()?.Message ?? types.Message),
        FileNotFoundException missing => $"a dependency is missing: {missing.FileName ?? missing.Message}",
        FileLoadException or IOException or TypeLoadException or UnauthorizedAccessException => error.Message,
        _ => $"{error.GetType().Name}: {error.Message}",
    };
}
