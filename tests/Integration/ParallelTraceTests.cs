using System.Text.Json;
using Host.Abstractions;
using Host.Tests.Support;

namespace Host.Tests.Integration;

/// <summary>
/// Threads that run Python at the same time, traced: on a free-threaded build the tracer's hooks
/// run in parallel on every thread. Every call made while traced is either shown, once, on its
/// own thread, in its own function, or counted as dropped.
/// </summary>
public sealed class ParallelTraceTests
{
    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task Four_threads_calling_at_once_lose_no_record_beyond_the_counted_drops(string python)
    {
        var interpreter = Interpreters.Get(python);
        // Five seconds where the threads really run at once; a second is enough to check the rest.
        var seconds = interpreter.IsFreeThreaded ? 5 : 1;
        await using var target = await PythonTarget.StartAsync(interpreter, "parallel_calls.py");
        var shown = new long[4];
        var wrong = new List<string>();
        JsonElement? summary = null;
        await using var host = RunningHost.Start(["run", "settrace", "-p", target.Pid.ToString(), "--filter", "*work_*", "--format", "json"], readStdout: false);
        host.StreamStdout(line =>
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            if (root.GetProperty("event").GetString() == "summary")
            {
                summary = root.Clone();
                return;
            }
            var thread = root.GetProperty("thread").GetString() ?? "";
            var function = root.GetProperty("function").GetString() ?? "";
            var index = thread.StartsWith("worker-", StringComparison.Ordinal) && int.TryParse(thread["worker-".Length..], out var n) && n is >= 0 and < 4 ? n : -1;
            if (index < 0 || function != $"work_{index}" || root.GetProperty("event").GetString() != "call" || root.GetProperty("depth").GetInt32() != 0)
            {
                if (wrong.Count < 10)
                    wrong.Add(line);
                return;
            }
            shown[index]++;
        });
        await host.WaitForStderrAsync("host: tracing process");

        var ran = await target.AskAsync($"run {seconds}");
        host.Signal("INT");
        var result = await host.WaitAsync(TimeSpan.FromSeconds(120));

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Empty(wrong);
        var calls = ran.Split(' ').Skip(1).Select(long.Parse).ToArray();
        Assert.Equal(4, calls.Length);
        Assert.NotNull(summary);
        var dropped = summary.Value.GetProperty("dropped").GetInt64();
        for (var i = 0; i < 4; i++)
            Assert.True(shown[i] <= calls[i] && shown[i] > 0, $"worker-{i}: {shown[i]} shown of {calls[i]} calls");
        Assert.Equal(calls.Sum(), shown.Sum() + dropped);
        Assert.Equal(shown.Sum(), summary.Value.GetProperty("shown").GetInt64());
        result.AssertNoFilesLeft();
        await target.AssertUnharmedAsync();
    }
}
