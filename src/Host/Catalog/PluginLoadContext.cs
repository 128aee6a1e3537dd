using System.Runtime.Loader;
using Host.Abstractions;
using McMaster.NETCore.Plugins.Loader;

namespace Host.Catalog;

/// <summary>
/// The load context of one plugin, built as McMaster's PluginLoader builds it (the plugin's
/// .deps.json resolves its own dependencies; only the contract's assembly comes from the host), but
/// without reading runtimeconfig.json files that cannot change the result.
/// </summary>
/// <remarks>
/// PluginLoader parses the plugin's runtimeconfig.json and every *.runtimeconfig.json next to the
/// host with reflection-based System.Text.Json, only to collect additionalProbingPaths (and the
/// runtime store, when the process is `dotnet`). That first parse costs tens of milliseconds of JIT in
/// a tool whose every run is a start-up. The files are still read through McMaster's own reader
/// whenever they could add a probing path.
/// </remarks>
internal static class PluginLoadContext
{
    private static readonly bool RunByDotnetMuxer =
        Path.GetFileNameWithoutExtension(Environment.ProcessPath ?? "") == "dotnet";

    public static AssemblyLoadContext Create(string assemblyPath)
    {
        var builder = new AssemblyLoadContextBuilder()
            .SetMainAssemblyPath(assemblyPath)
            .SetDefaultContext(AssemblyLoadContext.Default)
            // Only the contract's types are shared: everything else a plugin uses comes from its own
            // folder, so it may use another version of a library than the host or other plugins.
            .PreferDefaultLoadContext(false)
            // Lazily: the contract's dependencies (System.Text.Json and its own) are shared as the
            // plugin asks for them, not all loaded up front for every plugin, which cost every run
            // (even `host --version`) about 5 ms once the contract used System.Text.Json.
            .IsLazyLoaded(true)
            .PreferDefaultLoadContextAssembly(typeof(ICapability).Assembly.GetName());
        var pluginConfig = Path.ChangeExtension(assemblyPath, ".runtimeconfig.json");
        var hostConfigs = Directory.GetFiles(AppContext.BaseDirectory, "*.runtimeconfig.json");
        foreach (var config in hostConfigs.Prepend(pluginConfig))
        {
            if (CanAddProbingPaths(config))
                builder.TryAddAdditionalProbingPathFromRuntimeConfig(config, includeDevConfig: true, out _);
        }
        return builder.Build();
    }

    private static bool CanAddProbingPaths(string runtimeConfig) =>
        RunByDotnetMuxer
        || MentionsProbingPaths(runtimeConfig)
        || MentionsProbingPaths(runtimeConfig[..^".json".Length] + ".dev.json");

    private static bool MentionsProbingPaths(string file)
    {
        try
        {
            return File.Exists(file) && File.ReadAllText(file).Contains("additionalProbingPaths", StringComparison.OrdinalIgnoreCase);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
