using Host.Abstractions;

namespace Host.Injection;

/// <summary>
/// The files one command shares with its target: payload, parameters, agent copy, FIFOs. A fresh
/// directory with an unpredictable name, mode 0700, owned by the target's user so that the target
/// can read the payload and open the FIFOs; removed on dispose. When the target lives in another
/// mount namespace (a container, a private /tmp) the directory is made inside the target's own
/// /tmp through /proc/PID/root, and the target is given the path as it sees it.
/// </summary>
internal sealed class SessionDirectory : IDisposable
{
    private readonly int _ownerUid;
    private readonly int _ownerGid;

    private SessionDirectory(string hostPath, string targetPath, int ownerUid, int ownerGid)
    {
        HostPath = hostPath;
        TargetPath = targetPath;
        _ownerUid = ownerUid;
        _ownerGid = ownerGid;
    }

    /// <summary>The directory as this process sees it.</summary>
    public string HostPath { get; }

    /// <summary>The same directory as the target sees it.</summary>
    public string TargetPath { get; }

    public static SessionDirectory Create(TargetProcess target, int targetGid, bool sameMountNamespace)
    {
        var name = $"host-{Environment.ProcessId}-{RandomHex.Of(8)}";
        var targetTmp = "/tmp";
        var hostTmp = sameMountNamespace ? Path.GetTempPath() : $"/proc/{target.Pid}/root{targetTmp}";
        if (sameMountNamespace)
            targetTmp = hostTmp.TrimEnd('/');
        var hostPath = Path.Combine(hostTmp, name);
        try
        {
            Directory.CreateDirectory(hostPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new CapabilityException(ExitCodes.Failed,
                $"cannot create the session directory {hostPath}: {error.Message}",
                "the target's /tmp must be writable by the user running host");
        }
        var session = new SessionDirectory(hostPath, $"{targetTmp}/{name}", target.Uid, targetGid);
        session.GiveToOwner(hostPath);
        return session;
    }

    public string HostFile(string name) => Path.Combine(HostPath, name);

    public string TargetFile(string name) => $"{TargetPath}/{name}";

    public void WriteText(string name, string content)
    {
        var path = HostFile(name);
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        GiveToOwner(path);
    }

    /// <summary>
    /// Copies a file in once. Never over an existing copy: the target may have it mapped (the agent),
    /// and rewriting a mapped library in place corrupts it in the target.
    /// </summary>
    public void CopyOnce(string source, string name)
    {
        var path = HostFile(name);
        if (File.Exists(path))
            return;
        File.Copy(source, path);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        GiveToOwner(path);
    }

    public string CreateFifo(string name)
    {
        var path = HostFile(name);
        if (Libc.MkFifo(path, Convert.ToUInt32("600", 8)) != 0)
            throw new CapabilityException(ExitCodes.Failed, $"cannot create the FIFO {path} (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()})");
        GiveToOwner(path);
        return path;
    }

    private void GiveToOwner(string path)
    {
        // Only needed (and only possible) when we are root and the target is someone else.
        if (Libc.GetEuid() == 0 && _ownerUid != 0)
            Libc.Chown(path, _ownerUid, _ownerGid);
    }

    public void Dispose()
    {
        try
        {
            // The session holds files only; a recursive delete's directory walker is compiled at
            // run time on first use, which every run would pay at its very end.
            foreach (var file in Directory.GetFiles(HostPath))
                File.Delete(file);
            Directory.Delete(HostPath, recursive: false);
        }
        catch (IOException) when (Directory.Exists(HostPath))
        {
            RemoveTree();
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // Already gone (the target's namespace vanished with it) or unreachable: nothing to do.
        }
    }

    private void RemoveTree()
    {
        try
        {
            Directory.Delete(HostPath, recursive: true);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
        }
    }
}
