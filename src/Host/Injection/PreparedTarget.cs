using Host.Abstractions;

namespace Host.Injection;

/// <summary>A target inspected ahead of its attach, with the agent found and its session directory made (the agent already copied in).</summary>
internal sealed record PreparedTarget(TargetProcess Process, AgentLibrary Agent, SessionDirectory Session);
