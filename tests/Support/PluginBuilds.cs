using System.Diagnostics;

namespace Host.Tests.Support;

/// <summary>
/// Third-party plugins built once per test run the way their authors would: `dotnet pack` of the
/// contract into a local feed, then `dotnet build` of each plugin outside the solution against that
/// package (from copies in a temporary folder, with a private NuGet cache, so nothing in the
/// checkout or the machine's cache changes). A newer minor and a newer major contract are packed
/// too, from a copy of the contract's source, for the version checks; and contract 1.1.0 from its
/// frozen source (tests/contracts/1.1), for a plugin built against an older minor version.
/// </summary>
public sealed class PluginBuilds : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("host-plugin-builds-").FullName;

    /// <summary>The host's contract version, and the next minor one (which this host must refuse).</summary>
    public static Version HostContract { get; } = typeof(Host.Abstractions.ICapability).Assembly.GetName().Version!;

    public static string NewerMinor { get; } = $"{HostContract.Major}.{HostContract.Minor + 1}.0";

    /// <summary>samples/pyinfo built against the host's contract.</summary>
    public string Sample => Output("pyinfo");

    /// <summary>tests/plugins/pyinfo-1.1 (the sample as it was) built against the frozen contract 1.1.0.</summary>
    public string SampleForContract11 => Output("pyinfo-1.1.0");

    public string SampleForNewerMinor => Output("pyinfo-" + NewerMinor);

    public string SampleForContract2 => Output("pyinfo-2.0.0");

    public string Misbehaving => Output("misbehaving");

    /// <summary>tests/plugins/inspecting: a capability that declares it does not inject (contract 1.2).</summary>
    public string Inspecting => Output("inspecting");

    public string Isolated => Output("isolated");

    public async Task InitializeAsync()
    {
        var feed = Path.Combine(_root, "feed");
        var contract = Path.Combine(RepoPaths.Root, "src", "Abstractions");
        await Task.WhenAll(
            PackContractAsync(feed, contract, version: null),
            PackContractAsync(feed, contract, NewerMinor),
            PackContractAsync(feed, contract, "2.0.0"),
            PackContractAsync(feed, Path.Combine(RepoPaths.Root, "tests", "contracts", "1.1"), "1.1.0"));
        await Task.WhenAll(
            BuildAsync(Path.Combine(RepoPaths.Root, "samples", "pyinfo"), "pyinfo", feed, null),
            BuildAsync(Path.Combine(RepoPaths.Root, "tests", "plugins", "misbehaving"), "misbehaving", feed, null),
            BuildAsync(Path.Combine(RepoPaths.Root, "tests", "plugins", "isolated"), "isolated", feed, null),
            BuildAsync(Path.Combine(RepoPaths.Root, "tests", "plugins", "inspecting"), "inspecting", feed, null));
        await Task.WhenAll(
            BuildAsync(Path.Combine(RepoPaths.Root, "tests", "plugins", "pyinfo-1.1"), "pyinfo-1.1.0", feed, "1.1.0"),
            BuildAsync(Path.Combine(RepoPaths.Root, "samples", "pyinfo"), "pyinfo-" + NewerMinor, feed, NewerMinor),
            BuildAsync(Path.Combine(RepoPaths.Root, "samples", "pyinfo"), "pyinfo-2.0.0", feed, "2.0.0"));
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>Copies a built plugin into a plugin folder as `folder/name/`, its own subfolder.</summary>
    public static string Install(string built, string pluginsFolder, string name)
    {
        var destination = Path.Combine(pluginsFolder, name);
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.GetFiles(built))
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
        return destination;
    }

    private string Output(string name) => Path.Combine(_root, "out", name);

    private async Task PackContractAsync(string feed, string source, string? version)
    {
        // A copy, so that the contract's own obj/ folder in the checkout is left alone.
        var copy = Path.Combine(_root, "contract-" + (version ?? "host"));
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.GetFiles(source, "*.c*"))
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        // What the repository's Directory.Build.props gives the contract in the checkout.
        await File.WriteAllTextAsync(Path.Combine(copy, "Directory.Build.props"),
            "<Project><PropertyGroup><TargetFramework>net10.0</TargetFramework><Nullable>enable</Nullable><ImplicitUsings>enable</ImplicitUsings></PropertyGroup></Project>");
        var arguments = new List<string> { "pack", Path.Combine(copy, "Abstractions.csproj"), "-c", "Release", "-o", feed };
        if (version is not null)
            arguments.AddRange([$"-p:Version={version}", $"-p:AssemblyVersion={version}.0"]);
        await DotnetAsync(arguments);
    }

    private async Task BuildAsync(string source, string name, string feed, string? contractVersion)
    {
        var copy = Path.Combine(_root, "src", name);
        CopyTree(source, copy);
        var arguments = new List<string> { "build", copy, "-c", "Release", "-o", Output(name), $"-p:RestoreAdditionalProjectSources={feed}" };
        if (contractVersion is not null)
            arguments.Add($"-p:HostAbstractionsVersion={contractVersion}");
        await DotnetAsync(arguments);
    }

    private static void CopyTree(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.GetFiles(source))
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
        foreach (var folder in Directory.GetDirectories(source).Where(d => Path.GetFileName(d) is not ("bin" or "obj")))
            CopyTree(folder, Path.Combine(destination, Path.GetFileName(folder)));
    }

    private async Task DotnetAsync(IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        info.Environment["NUGET_PACKAGES"] = Path.Combine(_root, "nuget-packages");
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"dotnet {string.Join(' ', info.ArgumentList)} failed:\n{await stdout}\n{await stderr}");
    }
}
