namespace Host.Abstractions;

/// <summary>
/// An attached CPython process. Disposing it removes the session's files; the process itself is
/// never left stopped by any member.
/// </summary>
public interface ITarget : IAsyncDisposable
{
    /// <summary>What was learned about the process when attaching.</summary>
    TargetProcess Process { get; }

    /// <summary>Primitive 2: calls a C function in the target at a safe point and returns its value.</summary>
    Task<NativeValue> CallFunctionAsync(NativeCall call, CancellationToken cancellationToken);

    /// <summary>
    /// Primitive 4: creates a one-way channel (a FIFO) that the target writes to and the host reads.
    /// Pass <see cref="IChannel.PathInTarget"/> to a payload in its parameters.
    /// </summary>
    Task<IChannel> OpenChannelAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Primitive 4, the other way: creates a channel (a FIFO) that the host writes to and the target
    /// reads, for payloads that run until told to stop. It is open from the start, so the target's
    /// read end sees end of file exactly when the host closes it or dies.
    /// </summary>
    Task<ICommandChannel> OpenCommandChannelAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Primitive 3: runs a Python payload in the target, on a thread of its own that takes the GIL
    /// the normal way, in a fresh namespace. Returns once the target has started the agent thread;
    /// results arrive through a channel.
    /// </summary>
    Task RunPythonAsync(PythonPayload payload, CancellationToken cancellationToken);
}
