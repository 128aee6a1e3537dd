using System.Runtime.InteropServices;
using System.Text;
using Host.Abstractions;
using Host.Linux;

namespace Host.Injection;

/// <summary>
/// The host's end of a host-to-target FIFO. Opened read-write so that the open never waits for the
/// target and the FIFO has a writer from the start: the target reads end of file only once this end
/// is closed, by <see cref="DisposeAsync"/> or by the kernel when the host dies.
/// </summary>
internal sealed class FifoCommandChannel : ICommandChannel
{
    private readonly string _hostPath;
    private int _fd;

    public FifoCommandChannel(string hostPath, string pathInTarget)
    {
        _hostPath = hostPath;
        PathInTarget = pathInTarget;
        _fd = Libc.Open(hostPath, Libc.O_RDWR | Libc.O_NONBLOCK | Libc.O_CLOEXEC);
        if (_fd < 0)
            throw new CapabilityException(ExitCodes.Failed, $"cannot open the FIFO {hostPath} (errno {Marshal.GetLastPInvokeError()})");
    }

    public string PathInTarget { get; }

    public unsafe Task SendLineAsync(string line, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        var data = Encoding.UTF8.GetBytes(line + "\n");
        fixed (byte* bytes = data)
        {
            // A line is far below PIPE_BUF, so it is written whole or not at all.
            if (Libc.Write(_fd, bytes, data.Length) != data.Length)
                throw new CapabilityException(ExitCodes.Failed, $"the target does not read its commands (errno {Marshal.GetLastPInvokeError()})");
        }
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        FifoFile.CloseAndRemove(ref _fd, _hostPath);
        return ValueTask.CompletedTask;
    }
}
