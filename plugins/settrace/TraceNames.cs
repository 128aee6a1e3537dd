using System.Text.Json;

namespace Host.Plugins.Settrace;

/// <summary>A function as the payload describes it, once, before its first record.</summary>
internal sealed record FunctionInfo(string Name, string? Module, string File, int Line);

/// <summary>A traced thread as the payload describes it; sent again once its name is known.</summary>
internal sealed record ThreadInfo(int Slot, long Ident, long? NativeId, string? Name, bool Main)
{
    public string Label => Name ?? Ident.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>The ids that records refer to: functions, exception types and threads.</summary>
internal sealed class TraceNames
{
    private static readonly FunctionInfo Unknown = new("?", null, "?", 0);
    private readonly Dictionary<uint, FunctionInfo> _functions = [];
    private readonly Dictionary<uint, string> _exceptionTypes = [];
    private readonly Dictionary<int, ThreadInfo> _threads = [];

    public int ThreadCount => _threads.Count;

    public FunctionInfo Function(uint id) => _functions.GetValueOrDefault(id, Unknown);

    public string? ExceptionType(uint id) => id == 0 ? null : _exceptionTypes.GetValueOrDefault(id);

    public ThreadInfo Thread(int slot) => _threads.GetValueOrDefault(slot) ?? new ThreadInfo(slot, 0, null, $"thread-{slot}", false);

    /// <summary>Takes in a "code", "exception_type" or "thread" message; false for any other.</summary>
    public bool Learn(string type, JsonElement message)
    {
        switch (type)
        {
            case "code":
                _functions[message.GetProperty("id").GetUInt32()] = new FunctionInfo(
                    message.GetProperty("name").GetString() ?? "?",
                    message.TryGetProperty("module", out var module) ? module.GetString() : null,
                    message.GetProperty("file").GetString() ?? "?",
                    message.GetProperty("line").GetInt32());
                return true;
            case "exception_type":
                _exceptionTypes[message.GetProperty("id").GetUInt32()] = message.GetProperty("name").GetString() ?? "?";
                return true;
            case "thread":
                var slot = message.GetProperty("slot").GetInt32();
                _threads[slot] = new ThreadInfo(
                    slot,
                    message.GetProperty("ident").GetInt64(),
                    message.TryGetProperty("native_id", out var native) && native.ValueKind == JsonValueKind.Number ? native.GetInt64() : null,
                    message.TryGetProperty("name", out var name) ? name.GetString() : null,
                    message.TryGetProperty("main", out var main) && main.ValueKind == JsonValueKind.True);
                return true;
            default:
                return false;
        }
    }
}
