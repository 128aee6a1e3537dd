using System.Text.Json.Serialization;

namespace Host.Abstractions;

// The stack model (contract 1.2): what any producer of stacks gives (stackdump's payload, a later
// reader of the target's memory) and any consumer takes (stackdump's renderers, recipes' run("stackdump"),
// a profiler). The JSON names are those of `host run stackdump --format json`. Fields added later
// are init-only properties, so that 1.2 plugins keep working.

/// <summary>Every thread of one process in one snapshot.</summary>
/// <param name="Pid">The process id, as the target itself reports it.</param>
/// <param name="Python">The interpreter's version as it reports it, e.g. "3.11.2".</param>
/// <param name="Executable">sys.executable.</param>
/// <param name="Threads">The threads, in the order the interpreter lists them.</param>
public sealed record PythonStacks(
    [property: JsonPropertyName("pid")] int Pid,
    [property: JsonPropertyName("python")] string Python,
    [property: JsonPropertyName("executable")] string? Executable,
    [property: JsonPropertyName("threads")] IReadOnlyList<PythonThread> Threads)
{
    /// <summary>How the stacks were got (contract 1.3): "inject" (code run in the target) or "read" (its memory read from outside).</summary>
    [JsonPropertyName("method"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Method { get; init; }

    /// <summary>Why that method was used, in a few words (contract 1.3).</summary>
    [JsonPropertyName("reason"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Reason { get; init; }

    /// <summary>
    /// Read from outside (contract 1.3): true when every thread was stopped for the read, so the
    /// stacks are one consistent moment; false when they ran on (--nonblocking), so a stack may be torn.
    /// </summary>
    [JsonPropertyName("threads_stopped"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? ThreadsStopped { get; init; }

    /// <summary>Read from outside with the threads stopped (contract 1.3): how long the target was paused, in milliseconds.</summary>
    [JsonPropertyName("pause_ms"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? PauseMilliseconds { get; init; }
}

/// <summary>One thread and its Python frames, outermost first.</summary>
/// <param name="Ident">threading.get_ident().</param>
/// <param name="NativeId">The OS thread id, where the interpreter knows it.</param>
/// <param name="Name">threading's name for it, or null for a thread threading does not know.</param>
/// <param name="Daemon">Null for a thread the threading module does not know.</param>
/// <param name="Main">The main thread.</param>
/// <param name="Frames">Outermost first.</param>
public sealed record PythonThread(
    [property: JsonPropertyName("ident")] long Ident,
    [property: JsonPropertyName("native_id")] long? NativeId,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("daemon")] bool? Daemon,
    [property: JsonPropertyName("main")] bool Main,
    [property: JsonPropertyName("frames")] IReadOnlyList<PythonFrame> Frames)
{
    /// <summary>Holds the GIL at the moment of the snapshot (contract 1.3); null where that is not known or the build has no GIL.</summary>
    [JsonPropertyName("gil"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? HoldsGil { get; init; }

    /// <summary>What the OS thread was doing (contract 1.3), one of <see cref="ThreadStates"/>; null where not known.</summary>
    [JsonPropertyName("state"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? State { get; init; }
}

/// <summary>The values of <see cref="PythonThread.State"/> (contract 1.3).</summary>
public static class ThreadStates
{
    /// <summary>On a CPU, or ready to run.</summary>
    public const string Running = "running";

    /// <summary>Asleep in a system call (I/O, sleep, a lock) other than waiting for the GIL.</summary>
    public const string Idle = "idle";

    /// <summary>Asleep waiting to take the GIL.</summary>
    public const string WaitingForGil = "gil-wait";

    /// <summary>Stopped by a signal or a debugger.</summary>
    public const string Stopped = "stopped";
}

/// <summary>One Python frame.</summary>
/// <param name="File">co_filename.</param>
/// <param name="Line">Null where the line is unknown.</param>
/// <param name="Source">The source line, stripped, where the file could be read.</param>
/// <param name="Function">co_name (the qualified name where the producer knows it).</param>
/// <param name="Locals">[name, repr] pairs, when asked for.</param>
public sealed record PythonFrame(
    [property: JsonPropertyName("file")] string File,
    [property: JsonPropertyName("line")] int? Line,
    [property: JsonPropertyName("function")] string Function,
    [property: JsonPropertyName("source")] string? Source,
    [property: JsonPropertyName("locals"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<IReadOnlyList<string>>? Locals);

/// <summary>
/// A capability that produces stacks offers them as data too (contract 1.2): a recipe's
/// run("stackdump") or another plugin gets the model, not text to parse.
/// </summary>
public interface IStackSource
{
    /// <summary>The target's stacks, with the capability's options from <paramref name="context"/>.</summary>
    Task<PythonStacks> ReadStacksAsync(ICapabilityContext context, CancellationToken cancellationToken);
}

/// <summary>Compile-time JSON for the stack model: no reflection warm-up on a tool that runs once per incident.</summary>
[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(PythonStacks))]
public sealed partial class StackJson : JsonSerializerContext;
