package dev.handoff.cli;

import dev.handoff.config.ConfigException;
import dev.handoff.lab.LabException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code handoff} command: every operator and lab command is a subcommand of it. */
@Command(name = "handoff", mixinStandardHelpOptions = true, version = "handoff 0.1.0",
    description = "Durable MySQL-family primary failover on Temporal.",
    subcommands = {LabCommand.class, WorkerCommand.class, SwitchoverCommand.class, RecoveryCommand.class,
        RunbookCommand.class, WatchCommand.class, BenchCommand.class, FailoverCommand.class,
        CommandLine.HelpCommand.class})
public final class HandoffCli extends GroupCommand {
  public static void main(String[] args) {
    // gRPC and Netty log through java.util.logging; an operator needs their warnings only.
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    System.exit(execute(args));
  }

  public static int execute(String... args) {
    CommandLine cl = new CommandLine(new HandoffCli());
    FailoverCommand.addOldNames(cl.getSubcommands().get("failover"), FailoverCommand.OLD_NAMES, false);
    cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (e instanceof LabException || e instanceof ConfigException || e instanceof CliException) {
        cmd.getErr().println("error: " + e.getMessage());
        return 1;
      }
      throw e;
    });
    return cl.execute(args);
  }
}
