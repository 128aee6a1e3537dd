using System.Reflection;
using Host.Abstractions;
using McMaster.NETCore.Plugins;

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
            var loader = PluginLoader.CreateFromAssemblyFile(assemblyPath, [typeof(ICapability)], config => config.PreferSharedTypes = true);
            var assembly = loader.LoadDefaultAssembly();
            var types = assembly.GetExportedTypes()
                .Where(t => typeof(ICapability).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
                .ToList();
            if (types.Count == 0)
                return [new CatalogEntry(Path.GetFileName(folder), assemblyPath, origin, null, $"{Path.GetFileName(assemblyPath)} has no public class implementing {nameof(ICapability)}")];
            return types.Select(type => Create(type, assemblyPath, origin)).ToList();
        }
        catch (Exception error) when (error is BadImageFormatException or FileLoadException or FileNotFoundException or ReflectionTypeLoadException or TypeLoadException or IOException)
        {
            return [new CatalogEntry(Path.GetFileName(folder), assemblyPath, origin, null, Describe(error))];
        }
    }

    private static CatalogEntry Create(Type type, string assemblyPath, string origin)
    {
        try
        {
            var capability = (ICapability)Activator.CreateInstance(type)!;
            return new CatalogEntry(capability.Name, assemblyPath, origin, capability, null);
        }
        catch (Exception error)
        {
            var inner = error is TargetInvocationException { InnerException: { } cause } ? cause : error;
            return new CatalogEntry(type.Name, assemblyPath, origin, null, $"constructor of {type.FullName} threw {inner.GetType().Name}: {inner.Message}");
        }
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

    private static string Describe(Exception error) => error switch
    {
        BadImageFormatException => "not a .NET assembly",
        ReflectionTypeLoadException types => "a type could not be loaded: " + (types.LoaderExceptions.FirstOrDefault()?.Message ?? types.Message),
        FileNotFoundException missing => $"a dependency is missing: {missing.FileName ?? missing.Message}",
        _ => error.Message,
    };
}
