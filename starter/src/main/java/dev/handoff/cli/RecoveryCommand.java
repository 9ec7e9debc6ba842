package dev.handoff.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code handoff recovery ack}: re-arm automatic recovery inside the cooldown. */
@Command(name = "recovery", mixinStandardHelpOptions = true, description = "Automatic recovery of a cluster.",
    subcommands = {RecoveryCommand.Ack.class})
final class RecoveryCommand implements Runnable {
  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(name = "ack", mixinStandardHelpOptions = true,
      description = "Acknowledge the last recovery: lift the cooldown so the next dead primary is recovered.")
  static final class Ack extends WatchCommand.ClusterCommand implements Callable<Integer> {
    @Override
    public Integer call() {
      return withWatch((wf, cfg) -> {
        wf.acknowledge(System.getProperty("user.name", "operator"));
        System.out.println("acknowledged: automatic recovery of " + cluster + " is armed again");
        return 0;
      });
    }
  }
}
