package dev.handoff.cli;

import dev.handoff.client.Runbooks;
import dev.handoff.client.TemporalConnection;
import dev.handoff.config.ClusterSettings;
import dev.handoff.config.HandoffConfig;
import dev.handoff.domain.InstanceKey;
import dev.handoff.switchover.SwitchoverRequest;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code handoff switchover}: a planned switchover, started and (with --wait) followed. */
@Command(name = "switchover", mixinStandardHelpOptions = true,
    description = "Planned switchover: move the primary to a named replica or to the best one.")
final class SwitchoverCommand implements Callable<Integer> {
  @Mixin
  ConfigOption config;

  @Option(names = "--cluster", required = true, description = "The cluster to switch over.")
  String cluster;

  @Option(names = "--to", description = "The replica to promote, as HOST:PORT (default: the best one).")
  String to;

  @Option(names = "--dry-run", description = "Run the pre-checks and print the plan; change nothing.")
  boolean dryRun;

  @Option(names = "--wait", description = "Wait for the switchover to finish, printing each step.")
  boolean waitForIt;

  @Override
  public Integer call() {
    HandoffConfig cfg = config.load();
    ClusterSettings c = cfg.requireCluster(cluster);
    InstanceKey candidate = null;
    if (to != null) {
      try {
        candidate = InstanceKey.parse(to);
      } catch (IllegalArgumentException e) {
        throw new CliException("--to: " + e.getMessage());
      }
      if (c.instance(candidate.toString()).isEmpty()) {
        throw new CliException("--to " + to + " is not an instance of " + cluster + "; its instances are "
            + c.instances().stream().map(i -> i.key()).toList());
      }
    }
    String webUi = cfg.temporal().webUi() == null ? "" : " " + cfg.temporal().webUi();
    try (TemporalConnection t = new TemporalConnection(cfg)) {
      String id;
      try {
        id = Runbooks.startSwitchover(t.client(), cfg, new SwitchoverRequest(cluster, candidate, dryRun));
      } catch (Runbooks.AlreadyRunning e) {
        throw new CliException("a runbook of " + cluster + " is already running: workflow " + e.workflowId()
            + " (run " + e.runId() + "); follow it in the Web UI" + webUi + " or wait for it to end");
      }
      System.out.println((dryRun ? "dry run " : "switchover ") + "of " + cluster + " started: workflow " + id);
      if (!dryRun && !waitForIt) {
        System.out.println("follow it: ./handoff runbook status --cluster " + cluster + ", or the Temporal Web UI"
            + webUi);
        return 0;
      }
      return RunbookOutput.follow(t.client(), id, "switchover", System.out);
    }
  }
}
