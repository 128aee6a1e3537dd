using Host.Linux;

namespace Host.Processes;

/// <summary>Turns uids into user names through /etc/passwd.</summary>
internal static class UserNames
{
    public static string Of(int uid)
    {
        var passwd = ProcFs.TryRead("/etc/passwd") ?? "";
        foreach (var line in passwd.Split('\n'))
        {
            var fields = line.Split(':');
            if (fields.Length > 2 && fields[2] == uid.ToString(System.Globalization.CultureInfo.InvariantCulture))
                return fields[0];
        }
        return uid.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
