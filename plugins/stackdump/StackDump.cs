using System.Text.Json.Serialization;

namespace Host.Plugins.Stackdump;

/// <summary>Every thread of one process, as the payload saw it in one snapshot.</summary>
internal sealed record StackDump(
    [property: JsonPropertyName("pid")] int Pid,
    [property: JsonPropertyName("python")] string Python,
    [property: JsonPropertyName("executable")] string? Executable,
    [property: JsonPropertyName("threads")] IReadOnlyList<ThreadStack> Threads);

/// <summary>One thread and its frames, outermost first.</summary>
internal sealed record ThreadStack(
    [property: JsonPropertyName("ident")] long Ident,
    [property: JsonPropertyName("native_id")] long? NativeId,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("daemon")] bool? Daemon,
    [property: JsonPropertyName("main")] bool Main,
    [property: JsonPropertyName("frames")] IReadOnlyList<StackFrame> Frames);

/// <summary>One Python frame; Locals holds [name, repr] pairs when asked for.</summary>
internal sealed record StackFrame(
    [property: JsonPropertyName("file")] string File,
    [property: JsonPropertyName("line")] int? Line,
    [property: JsonPropertyName("function")] string Function,
    [property: JsonPropertyName("source")] string? Source,
    [property: JsonPropertyName("locals"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<IReadOnlyList<string>>? Locals);
