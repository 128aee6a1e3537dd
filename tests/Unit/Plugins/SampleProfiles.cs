using Host.Abstractions;
using Host.Plugins.Profile;

namespace Host.Tests.Unit.Plugins;

/// <summary>
/// Profiles made by hand for the formats' unit tests: stacks on named and unnamed threads, in one
/// or two processes, with a function seen at two lines, so what a format keeps apart or merges shows.
/// </summary>
internal static class SampleProfiles
{
    public static readonly ProfileFrame Main = new("main", "/app/app.py", 30, 28);
    public static readonly ProfileFrame HandleAt12 = new("Server.handle", "/app/app.py", 12, 10);
    public static readonly ProfileFrame HandleAt14 = new("Server.handle", "/app/app.py", 14, 10);
    public static readonly ProfileFrame Parse = new("parse", "/app/lib.py", 5, 3);

    public static readonly ProfileThread MainThread = new(1001, "MainThread");
    public static readonly ProfileThread Worker = new(1002, "worker");
    public static readonly ProfileThread Unnamed = new(1003, null);

    /// <summary>10 samples at 100 Hz; with <paramref name="threads"/> the stacks carry their threads, with <paramref name="processes"/> their processes.</summary>
    public static ProfileResult Result(bool threads = false, bool processes = false, bool empty = false)
    {
        var result = new ProfileResult(
            new TargetProcess(4242, 0, "root", "3.12.1", "/usr/bin/python3.12", null, "python3 app.py"),
            new ProfileRequest(100, TimeSpan.FromSeconds(0.1), null, false, false))
        {
            Samples = 10,
            Elapsed = TimeSpan.FromSeconds(0.1),
        };
        if (empty)
            return result;
        var parent = processes ? new ProfileProcess(4242, "python3 app.py") : null;
        var child = processes ? new ProfileProcess(4300, "python3 -c work") : null;
        result.Counts.Add([Main, HandleAt12, Parse], threads ? MainThread : null, 4, parent);
        result.Counts.Add([Main, HandleAt14, Parse], threads ? MainThread : null, 1, parent);
        result.Counts.Add([Main, HandleAt14], threads ? Worker : null, 3, parent);
        result.Counts.Add([Parse], threads ? Unnamed : null, 2, child);
        return result;
    }

    /// <summary>What <paramref name="format"/> writes for <paramref name="result"/>.</summary>
    public static byte[] Written(ProfileFormat format, ProfileResult result)
    {
        using var output = new MemoryStream();
        format.Write(result, output);
        return output.ToArray();
    }
}
