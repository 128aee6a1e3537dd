using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Host.Abstractions;
using Host.Linux;

namespace Host.Injection;

/// <summary>
/// The host's end of a FIFO. Opened non-blocking at once so that no wait is unbounded: until the
/// target opens its end we poll, bounded by the open timeout; then we read until it closes.
/// </summary>
internal sealed class FifoChannel : IChannel
{
    private const int PollSliceMs = 100;

    // The first wait for the target's reply is made on the caller's thread, briefly; after it, only
    // data already there is read on the caller's thread, and waits go to the thread pool, so that a
    // reader running in the background never holds up its caller. A quick payload's whole reply is
    // then read without any await really yielding: the first one that does costs a run ~15 ms
    // (the thread pool starts, and every async method up the stack has its continuation compiled).
    private const int FirstWaitMs = 30;
    private const int PipeBytes = 1 << 20;
    private readonly string _hostPath;
    private readonly Func<bool> _targetAlive;
    private int _fd = -1;

    public FifoChannel(string hostPath, string pathInTarget, Func<bool> targetAlive)
    {
        _hostPath = hostPath;
        _targetAlive = targetAlive;
        PathInTarget = pathInTarget;
        _fd = Libc.Open(hostPath, Libc.O_RDONLY | Libc.O_NONBLOCK | Libc.O_CLOEXEC);
        if (_fd < 0)
            throw new CapabilityException(ExitCodes.Failed, $"cannot open the FIFO {hostPath} (errno {Marshal.GetLastPInvokeError()})");
        // A streaming payload (settrace) writes in bursts: a bigger pipe means fewer stalls on both
        // sides. Best effort: the default 64 KiB works, only slower.
        Libc.Fcntl(_fd, Libc.F_SETPIPE_SZ, PipeBytes);
    }

    public string PathInTarget { get; }

    public async IAsyncEnumerable<string> ReadLinesAsync(TimeSpan openTimeout, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pending = new List<byte>();
        var connected = false;
        var openDeadline = DateTime.UtcNow + openTimeout;
        var buffer = new byte[PipeBytes];
        var firstWait = true;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (count, hangUp) = ReadSlice(buffer, firstWait ? FirstWaitMs : 0);
            firstWait = false;
            if (count == 0 && !hangUp)
                (count, hangUp) = await Task.Run(() => ReadSlice(buffer, PollSliceMs), CancellationToken.None).ConfigureAwait(false);
            if (count > 0)
            {
                connected = true;
                var start = 0;
                for (var i = 0; i < count; i++)
                {
                    if (buffer[i] != (byte)'\n')
                        continue;
                    pending.AddRange(new ArraySegment<byte>(buffer, start, i - start));
                    yield return Encoding.UTF8.GetString(pending.ToArray());
                    pending.Clear();
                    start = i + 1;
                }
                pending.AddRange(new ArraySegment<byte>(buffer, start, count - start));
                continue;
            }
            if (hangUp)
            {
                if (!_targetAlive())
                    throw Exited();
                if (pending.Count > 0)
                    yield return Encoding.UTF8.GetString(pending.ToArray());
                yield break;
            }
            if (!connected && !_targetAlive())
                throw Exited();
            if (!connected && DateTime.UtcNow > openDeadline)
                throw new CapabilityException(ExitCodes.Timeout,
                    $"the target did not run the payload within {openTimeout.TotalSeconds:0.#} s: a thread holds the GIL and does not release it (for example a long call into C code), or the interpreter is shutting down",
                    "nothing was changed in the target and it keeps running; the agent thread still waiting for the GIL ends quietly once it gets it. Try again later, or raise --timeout");
        }
    }

    private static CapabilityException Exited() =>
        new(ExitCodes.TargetNotFound, "the target process exited before it sent all its results", "nothing is left to inspect");

    /// <summary>Waits up to waitMs; returns bytes read (0 for none) and whether the writer hung up.</summary>
    private unsafe (int Count, bool HangUp) ReadSlice(byte[] buffer, int waitMs)
    {
        var poll = new Libc.PollFd { Fd = _fd, Events = Libc.POLLIN };
        var ready = Libc.Poll(&poll, 1, waitMs);
        if (ready <= 0)
            return (0, false);
        if ((poll.Revents & Libc.POLLIN) != 0)
        {
            fixed (byte* data = buffer)
            {
                var read = Libc.Read(_fd, data, buffer.Length);
                if (read > 0)
                    return ((int)read, false);
                if (read == 0)
                    return (0, true);
                var errno = Marshal.GetLastPInvokeError();
                return (0, errno is not (Libc.EAGAIN or Libc.EINTR));
            }
        }
        return (0, (poll.Revents & (Libc.POLLHUP | Libc.POLLERR)) != 0);
    }

    public ValueTask DisposeAsync()
    {
        FifoFile.CloseAndRemove(ref _fd, _hostPath);
        return ValueTask.CompletedTask;
    }
}
