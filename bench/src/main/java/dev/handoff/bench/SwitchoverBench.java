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
import java.util.List;
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

  /** The figures of one bench run; {@code steps}: each run's timed steps, counted from the start of read-only. */
  public record Result(List<Double> outagesMillis, List<Double> switchoverMillis, long acknowledged, long lost,
      long failedAttempts, int unhealthyAfter, List<StepTimes> steps) {}

  public static Result run(int runs, long writeIntervalMillis, PrintStream out) throws Exception {
    Path dir = Files.createTempDirectory(Path.of("/tmp"), "hb-");
    LabInfo info = Lab.up(new LabSpec(dir, 1, 2, null), line -> out.println("[lab] " + line));
    HandoffConfig config = info.config();
    LabClients lab = new LabClients(config);
    List<String> instances = lab.instances("c1");
    List<Double> outages = new ArrayList<>();
    List<Double> durations = new ArrayList<>();
    int unhealthy = 0;
    List<StepTimes> steps = new ArrayList<>();
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
        // Counted from the start of read-only; a result without step ends has no times.
        StepTimes timed = StepTimes.first(p, RunbookPlan.SET_READ_ONLY_AND_WAIT)
            .map(r -> StepTimes.of(p, TIMED_STEPS, r.endedAtMillis() - r.millis()))
            .orElse(new StepTimes(java.util.Map.of(), java.util.Map.of()));
        steps.add(timed);
        out.printf("        from read-only, ms (the step's own time): %s%n", timed.line());
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
      return new Result(outages, durations, acked.size(), lost, load.failures(), unhealthy, steps);
    } finally {
      service.shutdownNow();
      Lab.down(dir, false, line -> out.println("[lab] " + line));
    }
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
    StepTimes.print(out, "steps          ", "the read-only step began", TIMED_STEPS, r.steps());
    out.printf("writes         %d acknowledged, %d lost (target 0), %d failed attempts%n", r.acknowledged(),
        r.lost(), r.failedAttempts());
    out.printf("invariants     %d of %d runs left the cluster unhealthy (target 0)%n", r.unhealthyAfter(),
        r.outagesMillis().size());
  }
}
