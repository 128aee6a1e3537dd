using System.Diagnostics;
using System.Text.Json;

namespace Host.Tests.Support;

/// <summary>
/// What the tests that look at an output as a person would use, all installed by ./test: Debian's
/// chromium driven by playwright-core (tests/browser/package.json, installed into
/// $HOST_TEST_CACHE/browser), node to run the driver scripts in tests/browser, and tesseract to read
/// the text of a screenshot. A missing one fails the test with what to do: such a test never passes
/// without having looked.
/// </summary>
public static class BrowserTools
{
    public const string Chromium = "/usr/bin/chromium";

    public static string NodeModules => Path.Combine(Trees.Cache, "browser", "node_modules");

    /// <summary>Fails the test, naming what is missing, unless chromium, node, playwright-core and tesseract are all there.</summary>
    public static void AssertInstalled()
    {
        var missing = new List<string>();
        if (!File.Exists(Chromium))
            missing.Add($"chromium ({Chromium}; Debian package chromium)");
        if (Which("node") is null)
            missing.Add("node (Debian package nodejs)");
        if (!File.Exists(Path.Combine(NodeModules, "playwright-core", "package.json")))
            missing.Add($"playwright-core (npm, into {NodeModules})");
        if (Which("tesseract") is null)
            missing.Add("tesseract (Debian package tesseract-ocr)");
        Assert.True(missing.Count == 0, $"the browser tests need {string.Join(", ", missing)}; ./test installs them");
    }

    /// <summary>Runs tests/browser/<paramref name="script"/> with node and parses the JSON it prints.</summary>
    public static async Task<JsonElement> RunScriptAsync(string script, params string[] arguments)
    {
        var environment = new Dictionary<string, string> { ["NODE_PATH"] = NodeModules, ["HOST_TEST_CHROMIUM"] = Chromium };
        var output = await RunAsync("node", [Path.Combine(RepoPaths.Root, "tests", "browser", script), .. arguments], environment, TimeSpan.FromSeconds(90)).ConfigureAwait(false);
        try
        {
            using var json = JsonDocument.Parse(output);
            return json.RootElement.Clone();
        }
        catch (JsonException error)
        {
            throw new InvalidOperationException($"{script} did not print JSON ({error.Message}): {output}", error);
        }
    }

    /// <summary>The text tesseract reads in an image.</summary>
    public static Task<string> ReadTextAsync(string image) => RunAsync("tesseract", [image, "stdout"], null, TimeSpan.FromSeconds(60));

    private static async Task<string> RunAsync(string program, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The browser the script started goes with it.
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish in {timeout.TotalSeconds} s: {await error.ConfigureAwait(false)}");
        }
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await error.ConfigureAwait(false)}");
        return await output.ConfigureAwait(false);
    }

    private static string? Which(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);
}
