using System.Text;

namespace Host.Output;

/// <summary>
/// Standard output as a writer that reports a closed reader. Console.Out ignores EPIPE, so
/// `host run settrace | head` would trace on forever into a pipe nobody reads; this one throws
/// an IOException, which a streaming capability takes as "stop".
/// </summary>
internal static class StandardOutput
{
    private const int BrokenPipe = 32;

    public static TextWriter Open()
    {
        return new StreamWriter(new DescriptorStream(1), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 65536);
    }

    /// <summary>True when the error is the reader of standard output having gone away.</summary>
    public static bool IsClosedReader(IOException error) => (error.HResult & 0xFFFF) == BrokenPipe || error.Message.Contains("Broken pipe", StringComparison.Ordinal);
}
