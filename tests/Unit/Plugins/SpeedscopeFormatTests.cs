using System.Text;
using System.Text.Json.Nodes;
using Host.Plugins.Profile;
using Host.Tests.Support;
using static Host.Tests.Unit.Plugins.SampleProfiles;

namespace Host.Tests.Unit.Plugins;

/// <summary>
/// --format speedscope on profiles made by hand, each checked against the schema speedscope ships
/// (tests/tools): functions shared by every profile, one profile per thread or process, weights
/// that add up to the thread-stacks counted.
/// </summary>
public sealed class SpeedscopeFormatTests
{
    [Fact]
    public void Frames_are_functions_at_their_first_line_shared_by_every_profile()
    {
        var root = Written(Result(threads: true));

        var frames = root["shared"]!["frames"]!.AsArray();
        // Server.handle was seen at lines 12 and 14: one function, at the line it starts on.
        Assert.Equal(
            [("main", "/app/app.py", 28), ("Server.handle", "/app/app.py", 10), ("parse", "/app/lib.py", 3)],
            frames.Select(f => ((string)f!["name"]!, (string)f["file"]!, (int)f["line"]!)));
    }

    [Fact]
    public void Each_thread_is_a_profile_of_its_own_and_the_busiest_opens_first()
    {
        var root = Written(Result(threads: true));

        var profiles = Profiles(root);
        Assert.Equal(
            [("thread MainThread (1001)", 5L), ("thread worker (1002)", 3L), ("thread 1003", 2L)],
            profiles.Select(p => (p.Name, p.Weights.Sum())));
        Assert.Equal(0, (int)root["activeProfileIndex"]!);
        Assert.All(profiles, p => Assert.Equal("sampled", p.Type));
        // The main thread's two stacks differ only in a line: one stack of functions, weighing both.
        Assert.Equal(["0,1,2"], profiles[0].Samples.Select(s => string.Join(',', s)));
        Assert.Equal([5L], profiles[0].Weights);
    }

    [Fact]
    public void Without_threads_there_is_one_profile_named_after_the_target()
    {
        var root = Written(Result());

        var profile = Assert.Single(Profiles(root));
        Assert.Equal("process 4242 (python3 app.py)", profile.Name);
        Assert.Equal(10, profile.Weights.Sum());
        Assert.Equal(profile.Weights.Sum(), profile.EndValue);
        Assert.StartsWith("host ", (string)root["exporter"]!);
        Assert.Contains("4242", (string)root["name"]!);
    }

    [Fact]
    public void Stacks_of_two_processes_are_a_profile_for_each_process_and_thread()
    {
        var root = Written(Result(threads: true, processes: true));

        Assert.Equal(
            ["process 4242 (python3 app.py) thread MainThread (1001)", "process 4242 (python3 app.py) thread worker (1002)", "process 4300 (python3 -c work) thread 1003"],
            Profiles(root).Select(p => p.Name));
        var byProcess = Written(Result(processes: true));
        Assert.Equal(["process 4242 (python3 app.py)", "process 4300 (python3 -c work)"], Profiles(byProcess).Select(p => p.Name));
    }

    [Fact]
    public void A_profile_with_no_stacks_is_still_a_file_speedscope_opens()
    {
        var root = Written(Result(empty: true));

        var profile = Assert.Single(Profiles(root));
        Assert.Empty(profile.Samples);
        Assert.Empty(root["shared"]!["frames"]!.AsArray());
    }

    [Fact]
    public void The_schema_check_itself_rejects_what_speedscope_would_not_open()
    {
        var root = Written(Result(threads: true));
        root["profiles"]![0]!.AsObject().Remove("weights");
        root["profiles"]![1]!["unit"] = "samples";

        var errors = FormatTools.SpeedscopeSchemaErrors(root.ToJsonString());

        Assert.NotEmpty(errors);
    }

    /// <summary>What the format writes for <paramref name="result"/>, once it has passed speedscope's schema and its own index checks.</summary>
    private static JsonNode Written(Host.Plugins.Profile.ProfileResult result)
    {
        var text = Encoding.UTF8.GetString(SampleProfiles.Written(new SpeedscopeFormat(), result));
        var errors = FormatTools.SpeedscopeSchemaErrors(text);
        Assert.True(errors.Count == 0, string.Join('\n', errors) + "\n" + text);
        var root = JsonNode.Parse(text)!;
        // What the schema cannot say: every sample has a weight, and every frame index is in the table.
        var frameCount = root["shared"]!["frames"]!.AsArray().Count;
        foreach (var profile in Profiles(root))
        {
            Assert.Equal(profile.Samples.Count, profile.Weights.Count);
            Assert.All(profile.Samples.SelectMany(s => s), i => Assert.InRange(i, 0, frameCount - 1));
        }
        Assert.InRange((int)root["activeProfileIndex"]!, 0, root["profiles"]!.AsArray().Count - 1);
        return root;
    }

    private sealed record Profile(string Type, string Name, long EndValue, List<List<int>> Samples, List<long> Weights);

    private static List<Profile> Profiles(JsonNode root) =>
        root["profiles"]!.AsArray().Select(p => new Profile(
            (string)p!["type"]!, (string)p["name"]!, (long)p["endValue"]!,
            p["samples"]!.AsArray().Select(s => s!.AsArray().Select(i => (int)i!).ToList()).ToList(),
            p["weights"]!.AsArray().Select(w => (long)w!).ToList())).ToList();
}
