using Host.Cli;

Host.Linux.LibcResolver.Install();
return await HostApplication.RunAsync(args);
