namespace Host.Plugins.Settrace;

/// <summary>
/// native/trace_vocabulary.def, the numbers the agent's hooks, the payload and the host share. The
/// constants and lists are generated from it at build time (TraceVocabulary.targets writes
/// TraceVocabulary.g.cs); this part hands them on to the payload, whose source is never spliced.
/// </summary>
internal static partial class TraceVocabulary
{
    /// <summary>The names --events accepts: each selects every kind recorded under it.</summary>
    /// <remarks>Computed, not a field: the generated part's fields may be initialised after this part's.</remarks>
    public static IReadOnlyList<string> EventNames => [.. Kinds.Select(kind => kind.Event).Distinct()];

    /// <summary>The payload's PARAMS["vocabulary"]: what settrace_names.py takes its KIND_* and MODE_* from.</summary>
    public static Dictionary<string, object?> ForPayload() => new()
    {
        ["record_size"] = RecordSize,
        ["kinds"] = Kinds.ToDictionary(kind => kind.Name, kind => kind.Number),
        ["kind_events"] = Kinds.ToDictionary(kind => kind.Name, kind => kind.Event),
        ["modes"] = Modes.ToDictionary(mode => mode.Name, mode => mode.Number),
        ["mode_labels"] = Modes.ToDictionary(mode => mode.Name, mode => mode.Label),
    };
}
