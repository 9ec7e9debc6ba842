package dev.handoff.cli;

import dev.handoff.client.Runbooks;
import dev.handoff.client.TemporalConnection;
import dev.handoff.client.Watches;
import dev.handoff.config.HandoffConfig;
import dev.handoff.recovery.ClusterWatchWorkflow;
import dev.handoff.recovery.RecoveryRequest;
import dev.handoff.recovery.WatchMode;
import dev.handoff.recovery.WatchStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code handoff recovery ...}: recover a cluster whose primary is dead, and re-arm automatic recovery. */
@Command(name = "recovery", mixinStandardHelpOptions = true,
    description = "Recovery of a cluster whose primary is dead: forced now, or automatic (the watch's).",
    subcommands = {RecoveryCommand.Start.class, RecoveryCommand.Ack.class})
final class RecoveryCommand extends GroupCommand {
  @Command(name = "start", mixinStandardHelpOptions = true,
      description = "Recover a cluster whose primary is dead, now: a forced recovery, which skips what holds the"
          + " watch's automatic recovery back (the cooldown, the back-off after an attempt that promoted nothing,"
          + " maintenance) but not the confirmation: the primary's death is confirmed first (unreachable from the"
          + " worker and every reachable replica agrees). If it promotes, the watch's cooldown starts, as after an"
          + " automatic recovery.")
  static final class Start extends ClusterCommand {
    @Override
    public Integer call() {
      HandoffConfig cfg = load();
      try (TemporalConnection t = new TemporalConnection(cfg)) {
        String skipped = skippedHold(Watches.statusWithin(t.client(), cluster, Duration.ofSeconds(3)),
            System.currentTimeMillis());
        if (skipped != null) {
          System.out.println(skipped);
        }
        String id;
        try {
          id = Runbooks.startRecovery(t.client(), cfg,
              new RecoveryRequest(cluster, true, "operator: handoff recovery start"));
        } catch (Runbooks.AlreadyRunning e) {
          throw new CliException("a runbook of " + cluster + " is already running: workflow " + e.workflowId()
              + "; follow it in the Web UI or wait for it to end");
        }
        System.out.println("recovery of " + cluster + " started: workflow " + id);
        return RunbookOutput.follow(t.client(), id, "recovery", System.out);
      }
    }
  }

  /**
   * What holds the watch's automatic recovery back now, which a forced recovery skips; null when nothing does
   * (or no watch answered).
   */
  static String skippedHold(WatchStatus s, long nowMillis) {
    if (s == null) {
      return null;
    }
    List<String> holds = new ArrayList<>();
    if (s.mode() == WatchMode.MAINTENANCE) {
      holds.add("maintenance mode is on");
    }
    if (s.mode() == WatchMode.STOPPED) {
      holds.add("the watch is stopped");
    }
    if (s.blockedUntilMillis() > nowMillis) {
      holds.add("the cooldown after the last recovery lasts until " + Instant.ofEpochMilli(s.blockedUntilMillis()));
    }
    if (s.retryNotBeforeMillis() > nowMillis) {
      holds.add("the back-off after an attempt that promoted nothing lasts until "
          + Instant.ofEpochMilli(s.retryNotBeforeMillis()));
    }
    if (holds.isEmpty()) {
      return null;
    }
    return "automatic recovery of " + s.cluster() + " is held back (" + String.join("; ", holds) + "): this recovery"
        + " is forced and skips that; the primary's death is still confirmed first";
  }

  @Command(name = "ack", mixinStandardHelpOptions = true,
      description = "Acknowledge the last recovery: lift the cooldown so the next dead primary is recovered.")
  static final class Ack extends WatchCommand.WatchClusterCommand {
    @Override
    void actOn(ClusterWatchWorkflow watch) {
      watch.acknowledge(System.getProperty("user.name", "operator"));
      System.out.println("acknowledged: automatic recovery of " + cluster + " is armed again");
    }
  }
}
