using Host.Linux;

namespace Host.Tests.Unit.Linux;

public sealed class ProcTasksTests
{
    [Fact]
    public void The_thread_ids_are_the_entries_of_proc_task()
    {
        var listed = Directory.GetDirectories($"/proc/{Environment.ProcessId}/task").Select(d => int.Parse(Path.GetFileName(d), System.Globalization.CultureInfo.InvariantCulture));

        var ids = ProcTasks.Ids(Environment.ProcessId);

        // Threads of the test host may come and go between the two listings; the main thread stays.
        Assert.Contains(Environment.ProcessId, ids);
        Assert.True(ids.Intersect(listed).Count() >= Math.Min(ids.Count, listed.Count()) - 2);
        Assert.Empty(ProcTasks.Ids(int.MaxValue));
    }

    [Fact]
    public void This_threads_state_is_running()
    {
        // A thread reading its own stat is on a CPU.
        Assert.Equal('R', ProcTasks.State(Environment.ProcessId, (int)Gettid()));
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "gettid")]
    private static extern uint Gettid();
}
