using System.Reflection;
using Host.Abstractions;

namespace Isolated;

/// <summary>Reports the libraries this plugin got, next to the ones the host loaded, then calls into the target.</summary>
public sealed class LibraryVersions : ICapability
{
    public string Name => "library-versions";

    public string Description => "Show which System.CommandLine and Newtonsoft.Json this plugin runs with";

    public IReadOnlyList<CapabilityOption> Options => [];

    public async Task<int> RunAsync(ICapabilityContext context, CancellationToken cancellationToken)
    {
        Describe(context.Output, "plugin System.CommandLine", typeof(System.CommandLine.RootCommand).Assembly);
        Describe(context.Output, "plugin Newtonsoft.Json", typeof(Newtonsoft.Json.JsonConvert).Assembly);
        foreach (var loaded in AppDomain.CurrentDomain.GetAssemblies().Where(a => a.GetName().Name == "System.CommandLine" && a != typeof(System.CommandLine.RootCommand).Assembly))
            Describe(context.Output, "other System.CommandLine", loaded);
        await using var target = await context.Injector.AttachAsync(context.Pid, cancellationToken);
        var initialized = await target.CallFunctionAsync(new NativeCall("Py_IsInitialized", NativeType.Int), cancellationToken);
        context.Output.WriteLine($"Py_IsInitialized={initialized}");
        return ExitCodes.Ok;
    }

    private static void Describe(TextWriter output, string label, Assembly assembly)
    {
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0];
        output.WriteLine($"{label} {version} from {assembly.Location}");
    }
}
