using Host.Abstractions;
using Host.Plugins.Stackdump;

namespace Host.Tests.Unit.Plugins;

public sealed class StackdumpTextRendererTests
{
    [Fact]
    public void A_dump_renders_like_a_traceback_per_thread()
    {
        var dump = new PythonStacks(42, "3.12.1", "/usr/bin/python3.12",
        [
            new PythonThread(1001, 42, "MainThread", false, true,
            [
                new PythonFrame("/app/main.py", 10, "<module>", "main()", null),
                new PythonFrame("/app/main.py", 7, "Server.serve", "self.accept()", [["self", "<Server>"], ["port", "8080"]]),
            ]),
            new PythonThread(1002, null, null, null, false, []),
        ]);
        var output = new StringWriter { NewLine = "\n" };

        TextRenderer.Write(dump, output);

        Assert.Equal(
            """
            Process 42: Python 3.12.1 (/usr/bin/python3.12), 2 threads

            Thread 1001 "MainThread" (main thread, native id 42):
              File "/app/main.py", line 10, in <module>
                main()
              File "/app/main.py", line 7, in Server.serve
                self.accept()
                  self = <Server>
                  port = 8080

            Thread 1002:
              (no Python frames)

            """.Replace("\r\n", "\n"), output.ToString());
    }
}
