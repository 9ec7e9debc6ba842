package dev.handoff.cli;

import dev.handoff.client.TemporalConnection;
import dev.handoff.client.Watches;
import dev.handoff.config.HandoffConfig;
import dev.handoff.recovery.ClusterWatchWorkflow;
import dev.handoff.recovery.WatchMode;
import dev.handoff.recovery.WatchStatus;
import dev.handoff.runbook.WorkflowIds;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowServiceException;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code handoff watch ...} and {@code handoff recovery ack}: the automatic-recovery loop of each cluster. */
@Command(name = "watch", mixinStandardHelpOptions = true,
    description = "The watch of a cluster: detection every second, automatic recovery of a dead primary.",
    subcommands = {WatchCommand.Start.class, WatchCommand.Stop.class, WatchCommand.Status.class,
        WatchCommand.Maintenance.class})
final class WatchCommand extends GroupCommand {
  /** A subcommand that acts on the running watch. */
  abstract static class WatchClusterCommand extends ClusterClientCommand {
    /** What the subcommand does to the running watch, saying what it did. */
    abstract void actOn(ClusterWatchWorkflow watch);

    /** Runs {@link #actOn} against the running watch; a missing one is a clear error. */
    @Override
    final int act(WorkflowClient client) {
      try {
        actOn(Watches.running(client, cluster));
        return 0;
      } catch (WorkflowNotFoundException | WorkflowServiceException e) {
        throw new CliException("no watch is running for " + cluster + " (workflow " + WorkflowIds.watch(cluster)
            + "); start one with ./handoff watch start --cluster " + cluster);
      }
    }
  }

  @Command(name = "start", mixinStandardHelpOptions = true,
      description = "Start the watch, or resume a stopped one (no-op when it runs).")
  static final class Start extends ClusterCommand {
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
    void actOn(ClusterWatchWorkflow watch) {
      watch.stop("handoff watch stop");
      System.out.println("stop requested: " + WorkflowIds.watch(cluster));
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true, description = "Mode, last analysis, cooldown, events.")
  static final class Status extends WatchClusterCommand {
    @Override
    void actOn(ClusterWatchWorkflow watch) {
      WatchStatus s = watch.status();
      System.out.println("watch " + WorkflowIds.watch(cluster) + ": " + s.mode().wireName());
      System.out.println("  last analysis: " + (s.lastAnalysis() == null ? "-" : s.lastAnalysis() + ": "
          + s.lastDetail()));
      if (s.mode() != WatchMode.STOPPED) {
        printWorkers(watch);
      }
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
    }
  }

  /** Each reporting worker's own latest analysis, asked through the watch (an update, not a query). */
  private static void printWorkers(ClusterWatchWorkflow watch) {
    List<ClusterWatchWorkflow.WorkerAnalysis> all;
    try {
      all = watch.workerAnalyses().workers();
    } catch (RuntimeException e) {
      System.out.println("  workers: not asked (" + e.getMessage() + ")");
      return;
    }
    if (all.isEmpty()) {
      System.out.println("  workers: none has reported to this watch yet");
    }
    for (ClusterWatchWorkflow.WorkerAnalysis w : all) {
      System.out.println("  worker " + w.worker() + ": " + (w.code() == null ? w.detail()
          : w.code() + " " + w.ageMillis() + " ms ago: " + w.detail()));
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
    void actOn(ClusterWatchWorkflow watch) {
      watch.setMaintenance(on);
      System.out.println("maintenance " + (on ? "on" : "off") + " for " + cluster);
    }

    /** Refuses both or neither of --on and --off before connecting. */
    @Override
    public Integer call() {
      if (on == off) {
        throw new CliException("give exactly one of --on or --off");
      }
      return super.call();
    }
  }
}
