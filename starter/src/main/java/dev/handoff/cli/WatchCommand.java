package dev.handoff.cli;

import dev.handoff.client.TemporalConnection;
import dev.handoff.client.Watches;
import dev.handoff.config.HandoffConfig;
import dev.handoff.recovery.ClusterWatchWorkflow;
import dev.handoff.recovery.WatchStatus;
import dev.handoff.runbook.WorkflowIds;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowServiceException;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code handoff watch ...} and {@code handoff recovery ack}: the automatic-recovery loop of each cluster. */
@Command(name = "watch", mixinStandardHelpOptions = true,
    description = "The watch of a cluster: detection every second, automatic recovery of a dead primary.",
    subcommands = {WatchCommand.Start.class, WatchCommand.Stop.class, WatchCommand.Status.class,
        WatchCommand.Maintenance.class})
final class WatchCommand extends GroupCommand {
  /** Plumbing every watch subcommand shares. */
  abstract static class WatchClusterCommand extends ClusterCommand {
    /** Runs against the running watch; a missing one is a clear error. */
    int withWatch(java.util.function.BiFunction<ClusterWatchWorkflow, HandoffConfig, Integer> body) {
      HandoffConfig cfg = load();
      try (TemporalConnection t = new TemporalConnection(cfg)) {
        return body.apply(Watches.running(t.client(), cluster), cfg);
      } catch (WorkflowNotFoundException | WorkflowServiceException e) {
        throw new CliException("no watch is running for " + cluster + " (workflow " + WorkflowIds.watch(cluster)
            + "); start one with ./handoff watch start --cluster " + cluster);
      }
    }
  }

  @Command(name = "start", mixinStandardHelpOptions = true,
      description = "Start the watch, or resume a stopped one (no-op when it runs).")
  static final class Start extends WatchClusterCommand {
    @Override
    public Integer call() {
      HandoffConfig cfg = load();
      try (TemporalConnection t = new TemporalConnection(cfg)) {
        String what = Watches.startOrResume(t.client(), cfg, cluster, "handoff watch start");
        System.out.println(what + ": " + WorkflowIds.watch(cluster));
        return 0;
      }
    }
  }

  @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop the watch: no probes and no automatic action until watch start (its state is kept).")
  static final class Stop extends WatchClusterCommand {
    @Override
    public Integer call() {
      return withWatch((wf, cfg) -> {
        wf.stop("handoff watch stop");
        System.out.println("stop requested: " + WorkflowIds.watch(cluster));
        return 0;
      });
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true, description = "Mode, last analysis, cooldown, events.")
  static final class Status extends WatchClusterCommand {
    @Override
    public Integer call() {
      return withWatch((wf, cfg) -> {
        WatchStatus s = wf.status();
        System.out.println("watch " + WorkflowIds.watch(cluster) + ": " + s.mode().wireName());
        System.out.println("  last analysis: " + (s.lastAnalysis() == null ? "-" : s.lastAnalysis() + ": "
            + s.lastDetail()));
        long now = System.currentTimeMillis();
        System.out.println("  automatic recovery: " + (s.blockedUntilMillis() > now
            ? "blocked until " + Instant.ofEpochMilli(s.blockedUntilMillis())
                + " (./handoff recovery ack --cluster " + cluster + " to re-arm)"
            : "armed"));
        if (s.retryNotBeforeMillis() > now) {
          System.out.println("  next automatic attempt not before " + Instant.ofEpochMilli(s.retryNotBeforeMillis())
              + " (the last one promoted nothing)");
        }
        if (s.semiSyncDegradedSinceMillis() > 0) {
          System.out.println("  semi-sync: DEGRADED since " + Instant.ofEpochMilli(s.semiSyncDegradedSinceMillis())
              + ": the primary replicates asynchronously, acknowledged writes can be lost if it dies");
        }
        if (!s.fenced().isEmpty()) {
          System.out.println("  fenced old primaries: " + String.join(", ", s.fenced()));
        }
        if (s.unfencePending() != null) {
          System.out.println("  fence to undo: " + s.unfencePending() + " (a recovery promoted nothing; writes go back"
              + " to it once it answers)");
        }
        System.out.println("  recoveries: " + s.recoveries() + (s.lastRecovery() == null ? "" : ", last: "
            + s.lastRecovery()));
        System.out.println("  probe requests (alerts): " + s.alertsReceived());
        s.events().forEach(e -> System.out.println("  " + e));
        return 0;
      });
    }
  }

  @Command(name = "maintenance", mixinStandardHelpOptions = true,
      description = "Maintenance mode on or off: no automatic recovery while on.")
  static final class Maintenance extends WatchClusterCommand {
    @Option(names = "--on", description = "Turn maintenance mode on.")
    boolean on;

    @Option(names = "--off", description = "Turn maintenance mode off.")
    boolean off;

    @Override
    public Integer call() {
      if (on == off) {
        throw new CliException("give exactly one of --on or --off");
      }
      return withWatch((wf, cfg) -> {
        wf.setMaintenance(on);
        System.out.println("maintenance " + (on ? "on" : "off") + " for " + cluster);
        return 0;
      });
    }
  }
}
