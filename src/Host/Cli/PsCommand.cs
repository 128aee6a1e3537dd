using System.CommandLine;
using System.Text.Json;
using Host.Processes;

namespace Host.Cli;

/// <summary>`host ps`: the running CPython processes, with version, user and command line.</summary>
internal static class PsCommand
{
    public static Command Create()
    {
        var command = new Command("ps", "List the running Python processes you can attach to");
        var format = FormatOption.Create();
        command.Options.Add(format);
        command.SetAction(parse =>
        {
            var processes = PythonProcesses.List();
            if (parse.GetValue(format) == "json")
            {
                var rows = processes.Select(p => new { pid = p.Pid, python = p.PythonVersion, user = p.UserName, uid = p.Uid, executable = p.Executable, libpython = p.Libpython, command = p.CommandLine });
                Console.Out.WriteLine(JsonSerializer.Serialize(rows, new JsonSerializerOptions { WriteIndented = true }));
                return 0;
            }
            if (processes.Count == 0)
            {
                Console.Out.WriteLine("no Python processes found");
                return 0;
            }
            var python = Math.Max(6, processes.Max(p => p.PythonVersion.Length)) + 2;
            var user = Math.Max(4, processes.Max(p => p.UserName.Length)) + 2;
            Console.Out.WriteLine($"{"PID",8}  {"PYTHON".PadRight(python)}{"USER".PadRight(user)}COMMAND");
            foreach (var process in processes)
                Console.Out.WriteLine($"{process.Pid,8}  {process.PythonVersion.PadRight(python)}{process.UserName.PadRight(user)}{process.CommandLine}");
            return 0;
        });
        return command;
    }
}
