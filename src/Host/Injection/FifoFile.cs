using Host.Linux;

namespace Host.Injection;

/// <summary>Closing the host's end of a FIFO and removing the FIFO, for both directions of channel.</summary>
internal static class FifoFile
{
    public static void CloseAndRemove(ref int fd, string hostPath)
    {
        if (fd >= 0)
        {
            Libc.Close(fd);
            fd = -1;
        }
        try
        {
            File.Delete(hostPath);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // Removed with the session directory anyway.
        }
    }
}
