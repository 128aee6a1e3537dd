using System.Text.Json;
using System.Text.RegularExpressions;
using Host.Injection;
using Host.Injection.Gdb;
using Host.Tests.Support;

namespace Host.Tests.Unit.Injection;

/// <summary>
/// Both injectors follow native/injector/safe_point_policy.def: host-inject compiles it in, the gdb
/// driver parses it at run time. These hold the two readings to each other and to the file.
/// </summary>
public sealed partial class SafePointPolicyTests
{
    private static readonly string DefinitionPath = Path.Combine(RepoPaths.Root, "native", "injector", GdbDriverFiles.Policy);

    // The test's own reading of the file: every line that starts with a macro is an entry.
    [GeneratedRegex("""^([A-Z_]+)\((?:([0-9]+), *)?"([A-Za-z0-9_]+)"\)$""")]
    private static partial Regex Entry();

    private static List<(string Macro, string? Number, string Name)> Entries() =>
    [
        .. File.ReadAllLines(DefinitionPath)
            .Where(line => Regex.IsMatch(line, "^[A-Z_]+\\("))
            .Select(line => Entry().Match(line))
            .Select(match => (match.Groups[1].Value, match.Groups[2].Success ? match.Groups[2].Value : null, match.Groups[3].Value)),
    ];

    [Fact]
    public void Host_carries_the_file_it_is_built_from()
    {
        Assert.Equal(File.ReadAllText(DefinitionPath), EmbeddedFile.Read(GdbDriverFiles.Policy));
    }

    [Fact]
    public void Every_entry_has_a_shape_both_readers_know()
    {
        var entries = Entries();

        Assert.All(File.ReadAllLines(DefinitionPath).Where(line => Regex.IsMatch(line, "^[A-Z_]+\\(")), line => Assert.Matches(Entry(), line));
        Assert.All(entries, entry => Assert.Contains(entry.Macro, new[] { "UNSAFE_DECORATION", "UNSAFE_FUNCTION", "UNSAFE_PREFIX", "BLOCKING_SYSCALL" }));
        Assert.Contains(entries, entry => entry.Name == "malloc");
        Assert.Contains(entries, entry => entry.Name == "futex");
    }

    [Fact]
    public void The_gdb_driver_reads_the_same_policy_host_inject_compiled_in()
    {
        var compiled = Policy(ShortProgram.Output(Path.Combine(RepoPaths.Root, "artifacts", "host", "host-inject"), ["--policy"]));
        var read = Policy(GdbDriverReading());

        Assert.Equal(compiled.UnsafeFrame, read.UnsafeFrame);
        Assert.Equal(compiled.BlockingSyscalls, read.BlockingSyscalls);
    }

    [Fact]
    public void The_gdb_driver_reads_every_entry()
    {
        var read = Policy(GdbDriverReading());
        var entries = Entries();

        var syscalls = entries.Where(entry => entry.Macro == "BLOCKING_SYSCALL").ToDictionary(entry => entry.Number!, entry => entry.Name);
        Assert.Equal(syscalls.OrderBy(pair => pair.Key), read.BlockingSyscalls.OrderBy(pair => pair.Key));
        var frame = new Regex(read.UnsafeFrame);
        foreach (var (macro, _, name) in entries)
        {
            switch (macro)
            {
                case "UNSAFE_FUNCTION":
                    Assert.Matches(frame, name);
                    Assert.Matches(frame, "__GI_" + name);
                    Assert.DoesNotMatch(frame, name + "x");
                    break;
                case "UNSAFE_PREFIX":
                    Assert.Matches(frame, name);
                    Assert.Matches(frame, name + "_anything");
                    break;
                case "UNSAFE_DECORATION":
                    Assert.Matches(frame, name + "malloc");
                    break;
            }
        }
        Assert.DoesNotMatch(frame, "PyEval_EvalFrameDefault");
        Assert.DoesNotMatch(frame, "__GI___libc_read");
    }

    private sealed record PolicyReading(string UnsafeFrame, Dictionary<string, string> BlockingSyscalls);

    private static PolicyReading Policy(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        return new PolicyReading(
            root.GetProperty("unsafe_frame").GetString()!,
            root.GetProperty("blocking_syscalls").EnumerateObject().ToDictionary(pair => pair.Name, pair => pair.Value.GetString()!));
    }

    /// <summary>
    /// gdb_safe_point.py as host ships it, run by python3 outside gdb (a stand-in gdb module), with
    /// the policy beside a plan path as PendingGdb lays them out: what it makes of the file.
    /// </summary>
    private static string GdbDriverReading()
    {
        var folder = Directory.CreateTempSubdirectory("host-policy-test-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "gdb.py"), "");
            File.WriteAllText(Path.Combine(folder, "gdb_safe_point.py"), EmbeddedFile.Read("gdb_safe_point.py"));
            File.WriteAllText(Path.Combine(folder, GdbDriverFiles.Policy), EmbeddedFile.Read(GdbDriverFiles.Policy));
            const string Script = """
                import json, gdb_safe_point as policy
                print(json.dumps({"unsafe_frame": policy.UNSAFE_FRAME.pattern,
                                  "blocking_syscalls": dict((str(n), name) for n, name in policy.BLOCKING_SYSCALLS.items())}))
                """;
            return ShortProgram.Output("/usr/bin/python3", ["-c", Script], environment: new Dictionary<string, string>
            {
                ["PYTHONPATH"] = folder,
                ["HOST_GDB_PLAN"] = Path.Combine(folder, "plan.json"),
            });
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
