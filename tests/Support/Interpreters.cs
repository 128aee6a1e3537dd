using System.Diagnostics;

namespace Host.Tests.Support;

/// <summary>
/// Every CPython the suite runs on, found at test time: Debian's /usr/bin/python3 (interpreter
/// linked into the executable), each pyenv version (libpython*.so), and what ./test provides (see
/// <see cref="Trees"/>): Debian sid's python3.14 and python3.15, each run both in a container (a
/// private mount namespace with the sid tree as root) and as a plain chroot, and the free-threaded
/// 3.14t. HOST_TEST_PYTHONS (paths separated by ':') replaces the search. Theories over
/// <see cref="Labels"/> name the interpreter in each test's name, so the test report shows which ones
/// ran; one the suite expects but could not find is listed in <see cref="Missing"/>, and a test fails.
/// HOST_TEST_ONLY (label prefixes separated by ',', e.g. "sid-,free-threaded") keeps only some, for
/// work on one of them; the run then says so in the same test.
/// </summary>
public static class Interpreters
{
    private static readonly Lazy<(IReadOnlyList<Interpreter> Found, IReadOnlyList<string> Missing)> Discovered = new(Discover);

    public static IReadOnlyList<Interpreter> All => Discovered.Value.Found;

    /// <summary>What the suite expects on every run but could not find, with the reason.</summary>
    public static IReadOnlyList<string> Missing => Discovered.Value.Missing;

    public static TheoryData<string> Labels
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var interpreter in All)
                data.Add(interpreter.Label);
            return data;
        }
    }

    /// <summary>The free-threaded builds found (for tests about running without a GIL).</summary>
    /// <summary>The interpreters that carry _Py_DebugOffsets (3.13 and later).</summary>
    public static TheoryData<string> DebugOffsetsLabels
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var interpreter in All.Where(i => i.Version >= new Version(3, 13)))
                data.Add(interpreter.Label);
            return data;
        }
    }

    /// <summary>Every interpreter with a GIL (all but the free-threaded builds).</summary>
    public static TheoryData<string> GilLabels
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var interpreter in All.Where(i => !i.IsFreeThreaded))
                data.Add(interpreter.Label);
            return data;
        }
    }

    public static TheoryData<string> FreeThreadedLabels
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var interpreter in All.Where(i => i.IsFreeThreaded))
                data.Add(interpreter.Label);
            return data;
        }
    }

    public static Interpreter Get(string label) => All.Single(i => i.Label == label);

    /// <summary>A modern interpreter for tests that are about the tool rather than the version.</summary>
    public static Interpreter Default =>
        All.Where(i => !i.IsPython2).OrderByDescending(i => i.Label.StartsWith("pyenv", StringComparison.Ordinal)).ThenByDescending(i => i.Version).First();

    /// <summary>Debian's own python3, which users other than root can run.</summary>
    public static Interpreter? System => All.FirstOrDefault(i => i.Label.StartsWith("system", StringComparison.Ordinal));

    private static (IReadOnlyList<Interpreter>, IReadOnlyList<string>) Discover()
    {
        var found = new List<Interpreter>();
        var missing = new List<string>();
        var explicitList = Environment.GetEnvironmentVariable("HOST_TEST_PYTHONS");
        if (!string.IsNullOrEmpty(explicitList))
        {
            foreach (var path in explicitList.Split(':', StringSplitOptions.RemoveEmptyEntries))
                Add(found, missing, "custom", new Interpreter("", path, new Version()));
            return Checked(found, missing);
        }
        if (File.Exists("/usr/bin/python3"))
            Add(found, missing, "system", new Interpreter("", "/usr/bin/python3", new Version()));
        var pyenv = Environment.GetEnvironmentVariable("PYENV_ROOT") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".pyenv");
        var versions = Path.Combine(pyenv, "versions");
        if (Directory.Exists(versions))
        {
            foreach (var dir in Directory.GetDirectories(versions).Order(StringComparer.Ordinal))
            {
                var python = Path.Combine(dir, "bin", "python");
                if (File.Exists(python))
                    Add(found, missing, "pyenv", new Interpreter("", python, new Version()));
            }
        }
        AddSid(found, missing);
        if (File.Exists(Trees.FreeThreadedPython))
            Add(found, missing, "free-threaded", new Interpreter("", Trees.FreeThreadedPython, new Version()) { IsFreeThreaded = true });
        else
            missing.Add($"free-threaded 3.14t: {Trees.FreeThreadedPython} does not exist (./test unpacks it from ../shared/pythons)");
        return Checked(found, missing);
    }

    private static void AddSid(List<Interpreter> found, List<string> missing)
    {
        var tree = Trees.Sid;
        var problem = Directory.Exists(tree) ? Trees.Prepare(tree) : $"{tree} does not exist (./test makes it with mmdebstrap)";
        foreach (var minor in new[] { "3.14", "3.15" })
        {
            var path = $"/usr/bin/python{minor}";
            if (problem is null && !File.Exists(tree + path))
                problem = $"{tree}{path} does not exist";
            if (problem is not null)
            {
                missing.Add($"Debian sid's python{minor}: {problem}");
                continue;
            }
            Add(found, missing, "sid-container", new Interpreter("", path, new Version()) { Confinement = Confinement.Container, Root = tree });
            Add(found, missing, "sid-chroot", new Interpreter("", path, new Version()) { Confinement = Confinement.Chroot, Root = tree });
        }
    }

    private static (IReadOnlyList<Interpreter>, IReadOnlyList<string>) Checked(List<Interpreter> found, List<string> missing)
    {
        if (Environment.GetEnvironmentVariable("HOST_TEST_ONLY") is { Length: > 0 } only)
        {
            var prefixes = only.Split(',', StringSplitOptions.RemoveEmptyEntries);
            found.RemoveAll(i => !prefixes.Any(p => i.Label.StartsWith(p, StringComparison.Ordinal)));
            missing.Add($"HOST_TEST_ONLY={only} left out the others");
        }
        if (found.Count == 0)
            throw new InvalidOperationException("no CPython interpreter found: install python3 (and pyenv versions) to run the integration tests");
        return (found, missing);
    }

    /// <summary>Asks the interpreter, started as tests start it, for its version and build.</summary>
    private static void Add(List<Interpreter> found, List<string> missing, string kind, Interpreter candidate)
    {
        var answer = Ask(candidate, "import sys, sysconfig; print('%d.%d.%d %s' % (sys.version_info[:3] + (bool(sysconfig.get_config_var('Py_GIL_DISABLED')),)))");
        var parts = answer?.Split(' ');
        if (parts is not { Length: 2 } || !Version.TryParse(parts[0], out var version))
        {
            missing.Add($"{kind} {candidate.Path}: does not run ({answer ?? "no answer"})");
            return;
        }
        var freeThreaded = parts[1] == "True";
        var interpreter = candidate with { Version = version };
        interpreter = interpreter with { IsFreeThreaded = freeThreaded, Label = $"{kind}-{interpreter.Version.ToString(3)}{(freeThreaded ? "t" : "")}" };
        found.Add(interpreter);
    }

    private static string? Ask(Interpreter interpreter, string code)
    {
        try
        {
            var command = interpreter.Command(["-c", code]);
            var info = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in command.Skip(1))
                info.ArgumentList.Add(argument);
            using var process = Process.Start(info)!;
            var text = process.StandardOutput.ReadToEnd().Trim();
            var errors = process.StandardError.ReadToEnd().Trim();
            process.WaitForExit();
            return process.ExitCode == 0 ? text : $"exit {process.ExitCode}: {errors}";
        }
        catch (global::System.ComponentModel.Win32Exception error)
        {
            return error.Message;
        }
    }
}
