package dev.handoff.bench;

import dev.handoff.config.HandoffConfig;
import dev.handoff.lab.Lab;
import dev.handoff.lab.LabClients;
import dev.handoff.lab.Percentiles;
import dev.handoff.lab.LabInfo;
import dev.handoff.lab.LabSpec;
import dev.handoff.lab.RunbookTimes;
import dev.handoff.lab.Waits;
import dev.handoff.lab.WriteLoad;
import dev.handoff.planning.RunbookPlan;
import dev.handoff.runbook.WorkflowIds;
import dev.handoff.status.ClusterStatus;
import dev.handoff.worker.HandoffWorker;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Write outage of unplanned failovers: {@code kill -9} of the primary (or, with {@code freeze}, SIGSTOP:
 * a frozen primary that accepts connections and never answers) while a client writes through the local
 * HAProxy every 3 ms, to the first acknowledged write on the new primary. Detection (kill to the start of
 * the failover workflow) and recovery (that start to the first acknowledged write) are printed apart, and
 * the times from the kill to the promotion and to the topology's publication. Each trial runs on a fresh
 * lab, so no cooldown or earlier death shapes the next one.
 */
public final class RecoveryBench {
  private RecoveryBench() {}

  /** A recovery takes seconds; one still running after this is wedged, and the bench says why. */
  static final Duration RESULT_TIMEOUT = Duration.ofSeconds(120);

  /**
   * The recovery's steps the bench times, in the order they end: the critical path (confirm, fence, choose,
   * catch up, the KV check, promote, repoint the writer frontends and publish beside), then what runs after the
   * writes resume.
   */
  static final List<String> TIMED_STEPS = List.of(RunbookPlan.CONFIRM_DEAD, RunbookPlan.FENCE_OLD_PRIMARY,
      RunbookPlan.CHOOSE_CANDIDATE, RunbookPlan.CATCH_UP, "kv-writable:before-promote", RunbookPlan.STOP_RECEIVING,
      RunbookPlan.PROMOTE, RunbookPlan.REPOINT_HAPROXY, RunbookPlan.PUBLISH_TOPOLOGY, RunbookPlan.MOVE_REPLICAS,
      RunbookPlan.RESTART_HEARTBEAT);

  /** One cluster's figures from one trial; {@code steps}: its timed steps, counted from the kill (or freeze). */
  public record Trial(double outageMillis, double detectionMillis, double recoveryMillis, long acknowledged,
      long lost, boolean healthy, double promotedMillis, double publishedMillis, double resumedMillis,
      int replicaTimeoutSeconds, StepTimes steps) {}

  /** {@code trials} fresh labs of {@code clusters} clusters each; every primary is killed at once. */
  public static List<Trial> run(int trials, int clusters, PrintStream out) throws Exception {
    return run(trials, clusters, false, out);
  }

  /** As {@link #run(int, int, PrintStream)}; with {@code freeze} the primaries are SIGSTOPped, not killed. */
  public static List<Trial> run(int trials, int clusters, boolean freeze, PrintStream out) throws Exception {
    List<Trial> all = new ArrayList<>();
    for (int t = 1; t <= trials; t++) {
      all.addAll(trial(t, clusters, freeze, out));
    }
    return all;
  }

  private static List<Trial> trial(int n, int clusters, boolean freeze, PrintStream out) throws Exception {
    Path dir = Files.createTempDirectory(Path.of("/tmp"), "hu-");
    LabInfo info = Lab.up(new LabSpec(dir, clusters, 2, null), line -> { });
    HandoffConfig config = info.config();
    LabClients lab = new LabClients(config);
    List<Trial> results = new ArrayList<>();
    WorkflowServiceStubs service = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(config.temporal().target()).build());
    Map<String, WriteLoad> loads = new LinkedHashMap<>();
    Map<String, String> dead = new LinkedHashMap<>();
    try (HandoffWorker worker = HandoffWorker.start(config)) {
      WorkflowClient client = WorkflowClient.newInstance(service,
          WorkflowClientOptions.newBuilder().setNamespace(config.temporal().namespace()).build());
      List<String> names = config.clusters().stream().map(c -> c.name()).toList();
      for (String c : names) {
        loads.put(c, WriteLoad.start(lab.localWriter(c), config.credentials().application(), 3, 1));
      }
      for (WriteLoad l : loads.values()) {
        l.awaitAcks(100, 30_000);
      }
      for (String c : names) {
        Waits.analysis(client, config, c, "NoProblem", Duration.ofSeconds(30));
      }
      for (String c : names) {
        dead.put(c, lab.instances(c).get(0));
      }
      long killedAt = System.nanoTime();
      long killedWall = System.currentTimeMillis();
      for (var e : dead.entrySet()) {
        info.mariadb(e.getKey(), e.getValue()).signal(freeze ? "STOP" : "KILL");
      }
      Map<String, Boolean> resumed = new LinkedHashMap<>();
      for (String c : names) {
        resumed.put(c, loads.get(c).awaitAcks(50, 60_000));
      }
      for (String c : names) {
        WriteLoad load = loads.get(c);
        load.close();
        double outage = load.longestGapMillis(killedAt);
        var startedTime = client.fetchHistory(WorkflowIds.failover(c)).getEvents().get(0).getEventTime();
        long started = startedTime.getSeconds() * 1000 + startedTime.getNanos() / 1_000_000;
        double detection = Math.max(0, started - killedWall);
        var progress = Waits.result(client, config, c, WorkflowIds.failover(c), RESULT_TIMEOUT);
        long promoted = RunbookTimes.endedAt(progress, RunbookPlan.PROMOTE);
        long published = RunbookTimes.endedAt(progress, RunbookPlan.PUBLISH_TOPOLOGY);
        StepTimes steps = StepTimes.of(progress, TIMED_STEPS, killedWall);
        long resumedAt = load.resumedAtNanos(killedAt);
        int replicaTimeout = lab.replicaNetTimeoutSeconds(lab.instances(c).get(1));
        ClusterStatus s = Waits.healthy(config, c, Duration.ofSeconds(15));
        long lost;
        try (Connection conn = lab.admin(s.kvPrimary())) {
          lost = WriteLoad.missing(conn, load.acknowledged()).size();
        }
        // A trial whose writes never came back is a failed trial, not an outage of the last gap seen.
        boolean ok = s.healthy() && resumed.get(c);
        Trial trial = new Trial(outage, detection, Math.max(0, outage - detection), load.acknowledged().size(), lost,
            ok, promoted < 0 ? Double.NaN : promoted - killedWall, published < 0 ? Double.NaN : published - killedWall,
            resumedAt < 0 ? Double.NaN : (resumedAt - killedAt) / 1e6, replicaTimeout, steps);
        results.add(trial);
        out.printf("trial %2d %-4s outage %6.0f ms  detection %6.0f ms  recovery %6.0f ms  %s to promotion %6.0f ms,"
            + " to publish %6.0f ms, to writes resumed %6.0f ms  lost %d  %s%n", n, c, outage, detection,
            trial.recoveryMillis(), freeze ? "freeze" : "kill", trial.promotedMillis(), trial.publishedMillis(),
            trial.resumedMillis(), lost, !resumed.get(c) ? "WRITES NEVER RESUMED (60 s)"
                : s.healthy() ? "invariants hold" : "UNHEALTHY " + s.problems());
        // Where the recovery's time went: each step's end after the kill, and its own time (steps that ran side
        // by side overlap).
        out.printf("         critical path, ms after the %s (the step's own time): failover started %.0f, %s%n",
            freeze ? "freeze" : "kill", detection, steps.line());
      }
    } finally {
      loads.values().forEach(WriteLoad::close);
      if (freeze) {
        for (var e : dead.entrySet()) {
          info.mariadb(e.getKey(), e.getValue()).signal("CONT");
        }
      }
      service.shutdownNow();
      Lab.down(dir, false, line -> { });
    }
    return results;
  }

  public static void print(List<Trial> trials, int clusters, PrintStream out) {
    print(trials, clusters, false, out);
  }

  public static void print(List<Trial> trials, int clusters, boolean freeze, PrintStream out) {
    List<Double> outage = trials.stream().map(Trial::outageMillis).toList();
    List<Double> detection = trials.stream().map(Trial::detectionMillis).toList();
    List<Double> recovery = trials.stream().map(Trial::recoveryMillis).toList();
    out.println();
    out.printf("unplanned failover bench: %d cluster failovers (%d cluster(s) %s at once per trial), "
        + "%s under writes every 3 ms%n", trials.size(), clusters, freeze ? "frozen" : "killed",
        freeze ? "SIGSTOP" : "kill -9");
    line(out, "write outage", outage, freeze ? "(target: p99 < 6000)" : "(targets: p50 < 800, p99 < 1500)");
    String from = freeze ? "freeze" : "kill";
    line(out, "detection", detection, "(" + from + " to failover start)");
    line(out, "recovery", recovery, "(failover start to first write on the new primary)");
    line(out, "promoted", trials.stream().map(Trial::promotedMillis).toList(), "(" + from + " to promotion)");
    line(out, "published", trials.stream().map(Trial::publishedMillis).toList(), "(" + from + " to topology published)");
    int timeout = trials.stream().mapToInt(Trial::replicaTimeoutSeconds).max().orElse(0);
    line(out, "resumed", trials.stream().map(Trial::resumedMillis).toList(), "(" + from + " to writes resumed through"
        + " the local HAProxy" + (freeze ? "; the replicas' timeout is slave_net_timeout " + timeout + " s)" : ")"));
    StepTimes.print(out, "critical path  ", "the " + from, TIMED_STEPS, trials.stream().map(Trial::steps).toList());
    out.printf("writes         %d acknowledged, %d lost (target 0)%n",
        trials.stream().mapToLong(Trial::acknowledged).sum(), trials.stream().mapToLong(Trial::lost).sum());
    out.printf("invariants     %d of %d failovers left the cluster unhealthy (target 0)%n",
        trials.stream().filter(t -> !t.healthy()).count(), trials.size());
  }

  private static void line(PrintStream out, String name, List<Double> v, String note) {
    out.printf("%-14s p50 %6.0f ms   p99 %6.0f ms   max %6.0f ms   %s%n", name, Percentiles.of(v, 50),
        Percentiles.of(v, 99), Collections.max(v), note);
  }
}
