using System.Diagnostics;
using System.Text.Json;
using Json.Schema;

namespace Host.Tests.Support;

/// <summary>
/// The tools outside this repo that the profile formats are checked with, as ./test installs them:
/// Go's pprof (Debian's golang-go) and the schema speedscope ships with itself (tests/tools,
/// installed by npm into $HOST_TEST_CACHE/tools-node). A missing tool fails the test that needs
/// it, saying how to get it: a format no reader has checked is not a pass.
/// </summary>
public static class FormatTools
{
    public static string SpeedscopeSchemaPath { get; } =
        Path.Combine(Trees.Cache, "tools-node", "node_modules", "speedscope", "dist", "release", "file-format-schema.json");

    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(File.ReadAllText(SpeedscopeSchemaPath)));

    /// <summary>Why <paramref name="json"/> does not follow speedscope's schema, one line per error; empty when it does.</summary>
    public static IReadOnlyList<string> SpeedscopeSchemaErrors(string json)
    {
        Assert.True(File.Exists(SpeedscopeSchemaPath),
            $"speedscope's file-format schema is not at {SpeedscopeSchemaPath}: ./test installs tests/tools/package.json there (npm ci)");
        using var document = JsonDocument.Parse(json);
        var results = Schema.Value.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid)
            return [];
        var errors = (results.Details ?? []).Prepend(results)
            .SelectMany(r => (r.Errors ?? new Dictionary<string, string>()).Select(e => $"{r.InstanceLocation} (schema {r.EvaluationPath}): {e.Value}"))
            .ToList();
        return errors.Count > 0 ? errors : ["invalid, with no error given"];
    }

    /// <summary>`go tool pprof ARGUMENTS`: its standard output; a failure (or no Go) fails the test, with what pprof said.</summary>
    public static async Task<string> PprofAsync(params string[] arguments)
    {
        var go = Environment.GetEnvironmentVariable("PATH")?.Split(':').Select(d => Path.Combine(d, "go")).FirstOrDefault(File.Exists);
        Assert.True(go is not null, "go is not installed, so go tool pprof cannot read the profile: ./test installs Debian's golang-go");
        var info = new ProcessStartInfo(go!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "tool", "pprof" }.Concat(arguments))
            info.ArgumentList.Add(argument);
        // pprof keeps nothing of a local file, but Go wants a cache folder for any tool it runs.
        info.Environment["GOCACHE"] = Path.Combine(Trees.Cache, "go-build");
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(wait.Token);
        Assert.True(process.ExitCode == 0, $"go tool pprof {string.Join(' ', arguments)}: exit {process.ExitCode}\n{await stderr}");
        return await stdout;
    }
}
