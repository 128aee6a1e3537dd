using Host.Abstractions;
using Host.Tests.Support;

namespace Host.Tests.Integration;

/// <summary>
/// The session directories of hosts killed with SIGKILL are removed by the next run, and only
/// those: a directory's host is identified by its pid and its start time, because a pid alone is
/// reused (by a later process, or by a thread of one: /proc/N exists for a thread id too).
/// </summary>
public sealed class SessionSweepTests
{
    [Fact]
    public async Task Directories_of_dead_hosts_are_swept_even_when_their_pid_now_names_a_thread()
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Default, "threads_target.py");
        var thread = Directory.GetDirectories($"/proc/{target.Pid}/task").Select(d => int.Parse(Path.GetFileName(d))).First(t => t != target.Pid);
        var start = StartTime(target.Pid);
        var dead = new[]
        {
            $"host-{thread}-0123456789abcdef",                   // named by a host before this one
            $"host-{thread}-{start}-0123456789abcdef",           // the number is a thread now
            $"host-{target.Pid}-{start + 1}-0123456789abcdef",   // the number is a later process now
        };
        var alive = $"host-{target.Pid}-{start}-0123456789abcdef"; // that process itself: a live host
        var made = dead.Append(alive).Select(name => Path.Combine("/tmp", name)).ToList();
        foreach (var dir in made)
            Directory.CreateDirectory(dir);
        try
        {
            var result = await HostRun.RunAsync("run", "stackdump", "-p", target.Pid.ToString());

            Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
            foreach (var name in dead)
                Assert.False(Directory.Exists(Path.Combine("/tmp", name)), $"{name} should have been swept");
            Assert.True(Directory.Exists(Path.Combine("/tmp", alive)), "a live host's directory must stay");
        }
        finally
        {
            foreach (var dir in made.Where(Directory.Exists))
                Directory.Delete(dir);
        }
        await target.AssertUnharmedAsync();
    }

    private static long StartTime(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return long.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[19]);
    }
}
