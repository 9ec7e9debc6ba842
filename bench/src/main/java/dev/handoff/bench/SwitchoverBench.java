package dev.handoff.bench;

import dev.handoff.client.Runbooks;
import dev.handoff.config.HandoffConfig;
import dev.handoff.lab.Lab;
import dev.handoff.lab.LabClients;
import dev.handoff.lab.LabInfo;
import dev.handoff.lab.LabSpec;
import dev.handoff.lab.Percentiles;
import dev.handoff.lab.Waits;
import dev.handoff.lab.WriteLoad;
import dev.handoff.planning.RunbookPlan;
import dev.handoff.runbook.RunbookProgress;
import dev.handoff.runbook.StepRecord;
import dev.handoff.runbook.WorkflowIds;
import dev.handoff.status.ClusterStatus;
import dev.handoff.switchover.SwitchoverRequest;
import dev.handoff.switchover.SwitchoverWorkflow;
import dev.handoff.worker.HandoffWorker;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The write-unavailable window of planned switchovers, as a client writing every few milliseconds
 * through the local HAProxy sees it: the longest time between two acknowledged writes while a
 * switchover runs (the last OK on the old primary to the first OK on the new one). Runs on a fresh
 * lab, cycling the primary through the replicas, then counts acknowledged writes missing anywhere.
 */
public final class SwitchoverBench {
  private SwitchoverBench() {}

  /** A switchover takes seconds; one still running after this is wedged, and the bench says why. */
  static final Duration RESULT_TIMEOUT = Duration.ofSeconds(60);

  /**
   * The steps of the write outage, from the read-only step on: what a client waits for between its last write
   * on the old primary and its first on the new one. Then what runs after the writes resume.
   */
  static final List<String> TIMED_STEPS = List.of(RunbookPlan.SET_READ_ONLY_AND_WAIT, "kv-writable:before-promote",
      RunbookPlan.PROMOTE, RunbookPlan.REPOINT_HAPROXY, RunbookPlan.PUBLISH_TOPOLOGY, RunbookPlan.RESTART_HEARTBEAT,
      RunbookPlan.REJOIN_OLD_PRIMARY);

  /**
   * The figures of one bench run; {@code stepMillis}: each timed step's own time, per run, and
   * {@code stepEnds}: when it ended, in ms after the read-only step began, per run.
   */
  public record Result(List<Double> outagesMillis, List<Double> switchoverMillis, long acknowledged, long lost,
      long failedAttempts, int unhealthyAfter, Map<String, List<Double>> stepMillis,
      Map<String, List<Double>> stepEnds) {}

  public static Result run(int runs, long writeIntervalMillis, PrintStream out) throws Exception {
    Path dir = Files.createTempDirectory(Path.of("/tmp"), "hb-");
    LabInfo info = Lab.up(new LabSpec(dir, 1, 2, null), line -> out.println("[lab] " + line));
    HandoffConfig config = info.config();
    LabClients lab = new LabClients(config);
    List<String> instances = lab.instances("c1");
    List<Double> outages = new ArrayList<>();
    List<Double> durations = new ArrayList<>();
    int unhealthy = 0;
    Map<String, List<Double>> stepMillis = new LinkedHashMap<>();
    Map<String, List<Double>> stepEnds = new LinkedHashMap<>();
    WorkflowServiceStubs service = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(config.temporal().target()).build());
    try (HandoffWorker worker = HandoffWorker.start(config);
         WriteLoad load = WriteLoad.start(lab.localWriter("c1"), config.credentials().application(),
             writeIntervalMillis, 1)) {
      WorkflowClient client = WorkflowClient.newInstance(service,
          WorkflowClientOptions.newBuilder().setNamespace(config.temporal().namespace()).build());
      load.awaitAcks(200, 15_000);
      for (int i = 1; i <= runs; i++) {
        String target = instances.get(i % instances.size());
        long t0 = System.nanoTime();
        SwitchoverWorkflow wf = Runbooks.switchover(client, config, WorkflowIds.failover("c1"));
        WorkflowClient.start(wf::switchover, new SwitchoverRequest("c1", dev.handoff.domain.InstanceKey.parse(target),
            false));
        RunbookProgress p = Waits.result(client, config, "c1", WorkflowIds.failover("c1"), RESULT_TIMEOUT);
        double took = (System.nanoTime() - t0) / 1e6;
        if (!load.awaitAcks(100, 15_000)) {
          out.printf("run %2d: writes did not resume within 15 s%n", i);
        }
        double outage = load.longestGapMillis(t0);
        outages.add(outage);
        durations.add(took);
        ClusterStatus s = awaitHealthy(config);
        if (!s.healthy()) {
          unhealthy++;
        }
        out.printf("run %2d: %s -> %s  write outage %6.0f ms  switchover %6.0f ms  %s%n", i, p.oldPrimary(),
            p.newPrimary(), outage, took, s.healthy() ? "invariants hold" : "UNHEALTHY " + s.problems());
        out.printf("        from read-only, ms (the step's own time): %s%n", timeSteps(p, stepMillis, stepEnds));
      }
      load.close();
      List<Long> acked = load.acknowledged();
      String primary = awaitHealthy(config).kvPrimary();
      long lost;
      String position;
      try (Connection c = lab.admin(primary); Statement st = c.createStatement();
           ResultSet rs = st.executeQuery("SELECT @@gtid_binlog_pos")) {
        rs.next();
        position = rs.getString(1);
        lost = WriteLoad.missing(c, acked).size();
      }
      for (String instance : instances) {
        if (instance.equals(primary)) {
          continue;
        }
        try (Connection c = lab.admin(instance); Statement st = c.createStatement()) {
          st.executeQuery("SELECT MASTER_GTID_WAIT('" + position + "', 10)").close();
          Set<Long> missing = WriteLoad.missing(c, acked);
          if (!missing.isEmpty()) {
            out.printf("replica %s lacks %d acknowledged writes%n", instance, missing.size());
            lost = Math.max(lost, missing.size());
          }
        }
      }
      return new Result(outages, durations, acked.size(), lost, load.failures(), unhealthy, stepMillis, stepEnds);
    } finally {
      service.shutdownNow();
      Lab.down(dir, false, line -> out.println("[lab] " + line));
    }
  }

  /**
   * Adds one run's timed steps to the figures (ends counted from the start of the read-only step) and says them
   * on one line.
   */
  private static String timeSteps(RunbookProgress p, Map<String, List<Double>> stepMillis,
      Map<String, List<Double>> stepEnds) {
    StepRecord readOnly = p == null ? null : p.steps().stream()
        .filter(r -> r.name().equals(RunbookPlan.SET_READ_ONLY_AND_WAIT) && r.endedAtMillis() > 0).findFirst().orElse(null);
    if (readOnly == null) {
      return "(no step times in the result)";
    }
    long from = readOnly.endedAtMillis() - readOnly.millis();
    List<String> said = new ArrayList<>();
    for (String step : TIMED_STEPS) {
      p.steps().stream().filter(r -> r.name().equals(step) && r.endedAtMillis() > 0).findFirst().ifPresent(r -> {
        double end = r.endedAtMillis() - from;
        stepMillis.computeIfAbsent(step, k -> new ArrayList<>()).add((double) r.millis());
        stepEnds.computeIfAbsent(step, k -> new ArrayList<>()).add(end);
        said.add(String.format("%s %.0f (%d)", step, end, r.millis()));
      });
    }
    return String.join(", ", said);
  }

  private static ClusterStatus awaitHealthy(HandoffConfig config) {
    return Waits.healthy(config, "c1", Duration.ofSeconds(10));
  }

  public static void print(Result r, PrintStream out) {
    out.println();
    out.printf("planned switchover bench: %d runs, write every 3 ms through the local HAProxy%n", r.outagesMillis().size());
    out.printf("write outage   p50 %6.0f ms   p99 %6.0f ms   max %6.0f ms   (target: p99 < 300)%n",
        Percentiles.of(r.outagesMillis(), 50), Percentiles.of(r.outagesMillis(), 99),
        Collections.max(r.outagesMillis()));
    out.printf("switchover     p50 %6.0f ms   p99 %6.0f ms   max %6.0f ms   (start to workflow result)%n",
        Percentiles.of(r.switchoverMillis(), 50), Percentiles.of(r.switchoverMillis(), 99),
        Collections.max(r.switchoverMillis()));
    out.println("steps          each step's end, ms after the read-only step began (p50 / p99), and its own time (p50 / p99):");
    for (String step : TIMED_STEPS) {
      List<Double> ends = r.stepEnds().get(step);
      if (ends != null) {
        List<Double> own = r.stepMillis().get(step);
        out.printf("  %-28s ends %6.0f / %6.0f ms   takes %6.0f / %6.0f ms%n", step, Percentiles.of(ends, 50),
            Percentiles.of(ends, 99), Percentiles.of(own, 50), Percentiles.of(own, 99));
      }
    }
    out.printf("writes         %d acknowledged, %d lost (target 0), %d failed attempts%n", r.acknowledged(),
        r.lost(), r.failedAttempts());
    out.printf("invariants     %d of %d runs left the cluster unhealthy (target 0)%n", r.unhealthyAfter(),
        r.outagesMillis().size());
  }
}
