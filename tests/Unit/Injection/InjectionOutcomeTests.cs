using System.Text.Json;
using Host.Abstractions;
using Host.Injection.Transports;

namespace Host.Tests.Unit.Injection;

/// <summary>
/// The failure kinds both transports report, and what each becomes for the user. The target is
/// this test process itself, which is alive: the checks that look at /proc see a live process.
/// </summary>
public sealed class InjectionOutcomeTests
{
    private static readonly TargetProcess Self = new(Environment.ProcessId, 0, "root", "3.11", "/usr/bin/python3", null, "python3 app.py");

    [Theory]
    [InlineData("no-such-process", nameof(FailureKind.NoSuchProcess))]
    [InlineData("permission", nameof(FailureKind.PermissionDenied))]
    [InlineData("attach", nameof(FailureKind.AttachFailed))]
    [InlineData("unavailable", nameof(FailureKind.Unavailable))]
    [InlineData("no-safe-point", nameof(FailureKind.NoSafePoint))]
    [InlineData("call", nameof(FailureKind.CallFailed))]
    [InlineData("exited", nameof(FailureKind.Exited))]
    [InlineData("detach", nameof(FailureKind.DetachFailed))]
    [InlineData("gdb-without-python", nameof(FailureKind.GdbWithoutPython))]
    [InlineData("something-new", nameof(FailureKind.Unknown))]
    [InlineData(null, nameof(FailureKind.Unknown))]
    public void Each_wire_name_reads_as_its_kind_and_back(string? name, string kindName)
    {
        var kind = Enum.Parse<FailureKind>(kindName);
        Assert.Equal(kind, FailureKinds.Parse(name));
        if (kind != FailureKind.Unknown)
            Assert.Equal(name, FailureKinds.Name(kind));
    }

    [Fact]
    public void Every_kind_has_a_distinct_wire_name()
    {
        var names = Enum.GetValues<FailureKind>().Where(k => k != FailureKind.Unknown).Select(FailureKinds.Name).ToList();

        Assert.DoesNotContain("unknown", names);
        Assert.Equal(names.Count, names.Distinct().Count());
    }

    [Fact]
    public void Both_transports_write_only_known_kinds()
    {
        var written = new List<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(Support.RepoPaths.Root, "native", "injector"), "*.c"))
            written.AddRange(System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(file), "emit_error\\(\"([a-z-]+)\"").Select(m => m.Groups[1].Value));
        var driver = File.ReadAllText(Path.Combine(Support.RepoPaths.Root, "src", "Host", "Injection", "Gdb", "gdb_driver.py"));
        written.AddRange(System.Text.RegularExpressions.Regex.Matches(driver, "(?:kind=|return )\"([a-z-]+)\"").Select(m => m.Groups[1].Value));

        Assert.Contains("permission", written);
        Assert.Contains("no-safe-point", written);
        Assert.All(written, kind => Assert.NotEqual(FailureKind.Unknown, FailureKinds.Parse(kind)));
    }

    [Theory]
    [InlineData("no-such-process", ExitCodes.TargetNotFound, "exited while host was attaching")]
    [InlineData("no-safe-point", ExitCodes.Timeout, "reached a safe point within 3 s")]
    [InlineData("gdb-without-python", ExitCodes.Failed, "built without Python support")]
    [InlineData("call", ExitCodes.Failed, "calling Py_GetVersion in process")]
    [InlineData("exited", ExitCodes.Failed, "calling Py_GetVersion in process")]
    [InlineData("attach", ExitCodes.Failed, "host-inject could not attach to process")]
    public void A_failure_becomes_an_error_with_its_exit_code(string kind, int exitCode, string message)
    {
        var report = new InjectionReport([new InjectionEvent("error", kind, "why", "Py_GetVersion"), new InjectionEvent("detached")], 1, "", Overran: false, "host-inject");

        var error = Assert.Throws<CapabilityException>(() => InjectionOutcome.Check(report, Self, TimeSpan.FromSeconds(3)));

        Assert.Equal(exitCode, error.ExitCode);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void A_refused_attach_is_explained_as_a_permission_problem()
    {
        var report = new InjectionReport([InjectionEvent.Error(FailureKind.PermissionDenied, "EPERM")], 1, "", Overran: false, "gdb");

        var error = Assert.Throws<CapabilityException>(() => InjectionOutcome.Check(report, Self, TimeSpan.FromSeconds(3)));

        Assert.Equal(ExitCodes.PermissionDenied, error.ExitCode);
        Assert.StartsWith("permission denied", error.Message);
    }

    [Fact]
    public void Results_come_back_when_the_transport_detached_cleanly()
    {
        using var value = JsonDocument.Parse("42");
        var report = new InjectionReport([new InjectionEvent("result", Function: "Py_IsInitialized", Value: value.RootElement.Clone()), new InjectionEvent("detached")], 0, "", Overran: false, "host-inject");

        var result = Assert.Single(InjectionOutcome.Check(report, Self, TimeSpan.FromSeconds(3)));

        Assert.Equal(42, result.Value!.Value.GetInt32());
    }

    [Fact]
    public void A_report_without_a_detach_or_past_its_deadline_is_an_error()
    {
        var undetached = new InjectionReport([new InjectionEvent("result")], 139, "line one\nSegmentation fault", Overran: false, "gdb");
        var late = new InjectionReport([new InjectionEvent("detached")], 0, "", Overran: true, "gdb");

        var notDetached = Assert.Throws<CapabilityException>(() => InjectionOutcome.Check(undetached, Self, TimeSpan.FromSeconds(3)));
        var overran = Assert.Throws<CapabilityException>(() => InjectionOutcome.Check(late, Self, TimeSpan.FromSeconds(3)));

        Assert.Contains("ended without detaching cleanly (exit code 139): line one | Segmentation fault", notDetached.Message);
        Assert.Equal(ExitCodes.Timeout, overran.ExitCode);
    }
}
