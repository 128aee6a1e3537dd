namespace Host.Plugins.Profile;

/// <summary>`top`'s keyboard: q (or Q) quits. Read on a background thread of its own, since a key read blocks.</summary>
internal static class QuitKey
{
    public static void Watch(CancellationTokenSource quit)
    {
        var reader = new Thread(() =>
        {
            try
            {
                while (!quit.IsCancellationRequested)
                {
                    var key = Console.ReadKey(intercept: true);
                    if (key.KeyChar is 'q' or 'Q')
                    {
                        quit.Cancel();
                        return;
                    }
                }
            }
            catch (Exception error) when (error is InvalidOperationException or IOException or ObjectDisposedException)
            {
                // No keyboard after all (stdin closed): Ctrl-C still quits.
            }
        })
        { IsBackground = true, Name = "top keys" };
        reader.Start();
    }
}
