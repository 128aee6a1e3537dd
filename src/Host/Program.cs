using Host.Cli;

return await HostApplication.RunAsync(args);
