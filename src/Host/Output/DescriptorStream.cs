using System.Runtime.InteropServices;
using Host.Linux;

namespace Host.Output;

/// <summary>
/// Writes straight to a file descriptor with write(2). A FileStream over a regular file keeps its
/// own offset and writes there (pwrite), so `host ... > out.txt 2>&1` would overwrite the lines
/// standard error appended meanwhile; write(2) uses the descriptor's shared offset, like any tool.
/// </summary>
internal sealed class DescriptorStream(int descriptor) : Stream
{
    private const int Interrupted = 4;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override unsafe void Write(ReadOnlySpan<byte> buffer)
    {
        fixed (byte* start = buffer)
        {
            var done = 0;
            while (done < buffer.Length)
            {
                var written = Libc.Write(descriptor, start + done, buffer.Length - done);
                if (written >= 0)
                {
                    done += (int)written;
                    continue;
                }
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Interrupted)
                    continue;
                throw new IOException($"cannot write to descriptor {descriptor}: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
            }
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    // Written in place, as a terminal or a pipe is written by any tool: Stream's default would hand
    // each write to the thread pool (and make the first such await of a run cost milliseconds).
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
