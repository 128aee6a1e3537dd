using Host.Abstractions;
using Host.Linux;

namespace Host.Injection;

/// <summary>
/// The files one command shares with its target: payload, parameters, agent copy, FIFOs. A fresh
/// directory with an unpredictable name, mode 0700, owned by the target's user so that the target
/// can read the payload and open the FIFOs; removed on dispose. When the target sees other files
/// than host does (another mount namespace: a container, a private /tmp; or another root: a chroot)
/// the directory is made inside the target's own /tmp through /proc/PID/root, and the target is
/// given the path as it sees it. That /tmp is held open for the session's length, and the session
/// reached through the open descriptor, so that it is removed even when the target exits first (its
/// /proc/PID/root is gone with it, its container's /tmp is not).
/// </summary>
internal sealed class SessionDirectory : IDisposable
{
    private readonly int _ownerUid;
    private readonly int _ownerGid;
    private int _targetTmp;

    private SessionDirectory(string hostPath, string targetPath, int ownerUid, int ownerGid, int targetTmp)
    {
        _targetTmp = targetTmp;
        HostPath = hostPath;
        TargetPath = targetPath;
        _ownerUid = ownerUid;
        _ownerGid = ownerGid;
    }

    /// <summary>The directory as this process sees it.</summary>
    public string HostPath { get; }

    /// <summary>The same directory as the target sees it.</summary>
    public string TargetPath { get; }

    public static SessionDirectory Create(TargetProcess target, int targetGid)
    {
        var name = SessionNames.Session();
        var targetTmp = "/tmp";
        var hostTmp = Path.GetTempPath().TrimEnd('/');
        var shown = hostTmp;
        var heldTmp = -1;
        if (SeesOurFiles(target.Pid))
        {
            targetTmp = hostTmp;
        }
        else
        {
            shown = $"/proc/{target.Pid}/root/tmp";
            heldTmp = Libc.Open(shown, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
            if (heldTmp < 0)
            {
                var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                // Its /proc/PID/root goes with a process that exits.
                if (Processes.TargetInspector.ExitsShortly(target.Pid))
                    throw new CapabilityException(ExitCodes.TargetNotFound, $"process {target.Pid} exited while host was attaching to it");
                throw new CapabilityException(ExitCodes.Failed, $"cannot open the target's /tmp ({shown}, errno {errno})",
                    "the target's /tmp must exist and be reachable by the user running host");
            }
            hostTmp = $"/proc/self/fd/{heldTmp}";
            // A directory's pid means ours only where the target shares our pid numbers: in a
            // container with its own, a host run inside would name its sessions by other numbers.
            if (ProcFs.PidNamespace("self") == ProcFs.PidNamespace(target.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                StaleSessions.Sweep(hostTmp);
        }
        var hostPath = $"{hostTmp}/{name}";
        try
        {
            Directory.CreateDirectory(hostPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            if (heldTmp >= 0)
                Libc.Close(heldTmp);
            throw new CapabilityException(ExitCodes.Failed,
                $"cannot create the session directory {shown}/{name}: {error.Message}",
                "the target's /tmp must be writable by the user running host");
        }
        var session = new SessionDirectory(hostPath, $"{targetTmp}/{name}", target.Uid, targetGid, heldTmp);
        session.GiveToOwner(hostPath);
        return session;
    }

    /// <summary>
    /// True when the target resolves paths as host does: the same mount namespace and the same root
    /// directory. Either may differ alone: a container has both its own, `unshare --mount` only the
    /// namespace (a private /tmp), a chroot only the root. When either cannot be read, assume so.
    /// </summary>
    private static bool SeesOurFiles(int pid)
    {
        var process = pid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var mine = ProcFs.MountNamespace("self");
        var theirs = ProcFs.MountNamespace(process);
        if (mine is not null && theirs is not null && mine != theirs)
            return false;
        var myRoot = Libc.IdentityOf("/proc/self/root");
        var theirRoot = Libc.IdentityOf($"/proc/{process}/root");
        return myRoot is null || theirRoot is null || myRoot == theirRoot;
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
        finally
        {
            if (_targetTmp >= 0)
                Libc.Close(_targetTmp);
            _targetTmp = -1;
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
