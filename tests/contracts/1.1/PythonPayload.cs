namespace Host.Abstractions;

/// <summary>
/// Python source to run in the target plus its parameters as a JSON object. The parameters are
/// data, never spliced into the source: the payload sees them as the dict PARAMS. A payload may
/// also use the helpers the host puts in its namespace: open_channel(path) returns an object with
/// send(dict) that writes one JSON line and close(); safe_repr(value, limit).
/// </summary>
/// <param name="Name">A short name for messages, e.g. "stackdump".</param>
/// <param name="Source">Python source that runs on 2.7 and 3.x unless the capability says otherwise.</param>
/// <param name="ParametersJson">A JSON object.</param>
public sealed record PythonPayload(string Name, string Source, string ParametersJson);
