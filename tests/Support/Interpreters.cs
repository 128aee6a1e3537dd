using System.Diagnostics;

namespace Host.Tests.Support;

/// <summary>
/// Every CPython on this machine, found at test time: Debian's /usr/bin/python3 (interpreter linked
/// into the executable) and each pyenv version (libpython*.so). HOST_TEST_PYTHONS (paths separated
/// by ':') replaces the search. Theories over <see cref="Labels"/> name the interpreter in each test's
/// name, so the test report shows which ones ran.
/// </summary>
public static class Interpreters
{
    private static readonly Lazy<IReadOnlyList<Interpreter>> Found = new(Discover);

    public static IReadOnlyList<Interpreter> All => Found.Value;

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

    public static Interpreter Get(string label) => All.Single(i => i.Label == label);

    /// <summary>A modern interpreter for tests that are about the tool rather than the version.</summary>
    public static Interpreter Default =>
        All.Where(i => !i.IsPython2).OrderByDescending(i => i.Label.StartsWith("pyenv", StringComparison.Ordinal)).ThenByDescending(i => i.Version).First();

    /// <summary>Debian's own python3, which users other than root can run.</summary>
    public static Interpreter? System => All.FirstOrDefault(i => i.Label.StartsWith("system", StringComparison.Ordinal));

    private static IReadOnlyList<Interpreter> Discover()
    {
        var paths = new List<(string Kind, string Path)>();
        var explicitList = Environment.GetEnvironmentVariable("HOST_TEST_PYTHONS");
        if (!string.IsNullOrEmpty(explicitList))
        {
            paths.AddRange(explicitList.Split(':', StringSplitOptions.RemoveEmptyEntries).Select(p => ("custom", p)));
        }
        else
        {
            if (File.Exists("/usr/bin/python3"))
                paths.Add(("system", "/usr/bin/python3"));
            var pyenv = Environment.GetEnvironmentVariable("PYENV_ROOT") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".pyenv");
            var versions = Path.Combine(pyenv, "versions");
            if (Directory.Exists(versions))
            {
                foreach (var dir in Directory.GetDirectories(versions).Order(StringComparer.Ordinal))
                {
                    var python = Path.Combine(dir, "bin", "python");
                    if (File.Exists(python))
                        paths.Add(("pyenv", python));
                }
            }
        }
        var found = new List<Interpreter>();
        foreach (var (kind, path) in paths)
        {
            var version = VersionOf(path);
            if (version is not null)
                found.Add(new Interpreter($"{kind}-{version}", path, version));
        }
        if (found.Count == 0)
            throw new InvalidOperationException("no CPython interpreter found: install python3 (and pyenv versions) to run the integration tests");
        return found;
    }

    private static Version? VersionOf(string python)
    {
        try
        {
            var info = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add("import sys; print('%d.%d.%d' % sys.version_info[:3])");
            using var process = Process.Start(info)!;
            var text = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return process.ExitCode == 0 && Version.TryParse(text, out var version) ? version : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
