package dev.handoff.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.lab.Percentiles;
import dev.handoff.config.HandoffConfig;
import dev.handoff.config.WorkerSettings;
import dev.handoff.domain.InstanceKey;
import dev.handoff.lab.Lab;
import dev.handoff.lab.LabClients;
import dev.handoff.lab.LabExtension;
import dev.handoff.lab.LabInfo;
import dev.handoff.lab.LabSpec;
import dev.handoff.lab.Waits;
import dev.handoff.lab.WriteLoad;
import dev.handoff.runbook.FailoverProgress;
import dev.handoff.runbook.RunbookOptions;
import dev.handoff.runbook.WorkflowIds;
import dev.handoff.status.ClusterStatus;
import dev.handoff.status.StatusReport;
import dev.handoff.switchover.PlannedFailoverWorkflow;
import dev.handoff.switchover.SwitchoverRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowFailedException;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The chaos suite: for every activity of the planned and of the unplanned failover, the worker (its own
 * OS process) stops at a named failpoint before the activity, during it, or after it and before Temporal
 * records it; a second worker starts, and the first is killed with SIGKILL: the second must finish the
 * failover without a restart of the first, with every invariant holding and no acknowledged write lost.
 * Prints the matrix and the suite's figures. Another test restarts the Temporal server mid-failover.
 */
class ChaosIT {
  /** A trial after which the client's writes did not come back within 10 s: a failure, never a 0 ms outage. */
  static final String WRITES_NEVER_RESUMED = "writes never resumed within 10 s of the runbook's end";
  @RegisterExtension
  static final LabExtension LAB = LabExtension.clusters(1).replicas(2);

  static final List<String> POINTS = List.of("before", "during", "after");
  static final List<String> PLANNED = List.of("DescribeCluster", "ReadTopology", "InspectCluster", "PingHaproxy",
      "MoveReplica", "SetReadOnly", "WaitForGtid", "Promote", "PublishTopology", "RepointWriter", "RestartHeartbeat",
      "RejoinAsReplica");
  static final List<String> UNPLANNED = List.of("DescribeCluster", "ReadTopology", "ProbeCluster", "FenceWriter",
      "InspectClusterExcept", "CatchUp", "Promote", "RepointRoutes", "PublishTopology", "MoveReplica", "RestartHeartbeat",
      "SetReadOnly");

  /** One trial's outcome. */
  record Row(String kind, String activity, String point, boolean crashed, String outcome, double seconds,
      List<String> violations, long lost, double outageMillis) {
    boolean ok() {
      return crashed && FailoverProgress.COMPLETED.equals(outcome) && violations.isEmpty() && lost == 0;
    }
  }

  static HandoffConfig chaosConfig(HandoffConfig lab, boolean watch) {
    return WorkerHarness.withWorker(lab, new WorkerSettings(null, null, null, watch, 3600L));
  }

  static WorkflowClient client(WorkflowServiceStubs service, HandoffConfig config) {
    return WorkflowClient.newInstance(service,
        WorkflowClientOptions.newBuilder().setNamespace(config.temporal().namespace()).build());
  }

  /** The cluster's status once healthy, or at 15 s: a trial records what is still wrong then. */
  static ClusterStatus awaitHealthy(HandoffConfig config) {
    return Waits.healthy(config, "c1", Duration.ofSeconds(15));
  }

  /**
   * How the failover of c1 ended, waiting at most 90 s; one that did not end (or never started) says so
   * on its first line, followed by the diagnostics.
   */
  static String outcome(WorkflowClient client, HandoffConfig config) {
    try {
      return Waits.result(client, config, "c1", WorkflowIds.failover("c1"), Duration.ofSeconds(90)).state();
    } catch (WorkflowFailedException e) {
      return "FAILED: " + e.getCause().getMessage();
    } catch (AssertionError e) {
      return "NOT FINISHED: " + e.getMessage();
    } catch (RuntimeException e) {
      return "NOT FINISHED: " + e.getClass().getSimpleName() + "\n" + Waits.diagnostics(client, config, "c1");
    }
  }

  @Test
  void aPlannedSwitchoverCompletesWhateverStepItsWorkerDiesAt() throws Exception {
    HandoffConfig config = chaosConfig(LAB.info().config(), false);
    LabClients lab = new LabClients(config);
    Path work = Files.createTempDirectory(Path.of("/tmp"), "hc-");
    List<Row> rows = new ArrayList<>();
    WorkflowServiceStubs service = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(config.temporal().target()).build());
    try {
      WorkflowClient client = client(service, config);
      int trial = 0;
      for (String activity : PLANNED) {
        for (String point : POINTS) {
          trial++;
          String primary = StatusReport.read(config).clusters().get(0).kvPrimary();
          List<String> others = lab.instances("c1").stream().filter(k -> !k.equals(primary)).toList();
          String target = others.get(trial % others.size());
          long t0 = System.nanoTime();
          try (WriteLoad load = WriteLoad.start(lab.localWriter("c1"), config.credentials().application(), 3,
              trial * 10_000_000L);
               WorkerProcess w1 = WorkerProcess.start(config, work, "planned-" + trial + "-w1",
                   activity + ":" + point, "pause")) {
            w1.awaitReady(30_000);
            load.awaitAcks(30, 10_000);
            PlannedFailoverWorkflow wf = Runbooks.planned(client, config, WorkflowIds.failover("c1"));
            WorkflowClient.start(wf::switchover, new SwitchoverRequest("c1", InstanceKey.parse(target), false));
            boolean crashed = w1.awaitLog("failpoint " + activity + ":" + point, 30_000);
            String outcome;
            // Two workers at once: the second is up before the first is killed, and finishes without a restart.
            try (WorkerProcess w2 = WorkerProcess.start(config, work, "planned-" + trial + "-w2", null)) {
              w2.awaitReady(30_000);
              w1.kill9();
              outcome = outcome(client, config);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            boolean resumed = load.awaitAcks(30, 10_000);
            load.close();
            ClusterStatus s = awaitHealthy(config);
            long lost;
            try (Connection c = lab.admin(s.kvPrimary())) {
              lost = WriteLoad.missing(c, load.acknowledged()).size();
            }
            List<String> problems = new ArrayList<>(s.problems());
            if (!resumed) {
              // Not a 0 ms outage: a trial whose writes never came back failed.
              problems.add(WRITES_NEVER_RESUMED);
            }
            Row row = new Row("planned", activity, point, crashed, outcome, seconds, problems, lost,
                load.longestGapMillis(t0));
            rows.add(row);
            System.out.printf("chaos planned %-17s %-6s crashed=%s %s in %.1f s%s%n", activity, point, crashed, outcome,
                seconds, row.ok() ? "" : "  PROBLEMS " + problems + " lost=" + lost);
          }
        }
      }
    } finally {
      service.shutdownNow();
    }
    printMatrix("planned switchover", rows, null);
    assertThat(rows).allSatisfy(r -> assertThat(r.ok()).as(r.toString()).isTrue());
    try (var logs = Files.list(work)) {
      for (Path log : logs.filter(f -> f.toString().endsWith(".log")).toList()) {
        assertThat(HistorySecretsCheck.workerLogLeaks(config, log)).as("secrets in " + log).isEmpty();
      }
    }
  }

  @Test
  void anUnplannedFailoverCompletesWhateverStepItsWorkerDiesAt() throws Exception {
    List<Row> rows = new ArrayList<>();
    Row baseline = unplannedTrial("none", "-", null);
    System.out.printf("chaos unplanned baseline (no crash): %s, write outage %.0f ms%n", baseline.outcome(),
        baseline.outageMillis());
    assertThat(baseline.outcome()).isEqualTo(FailoverProgress.COMPLETED);
    for (String activity : UNPLANNED) {
      // The old primary is dead: setting it read-only fails at connect, so only "before" is reachable.
      for (String point : activity.equals("SetReadOnly") ? List.of("before") : POINTS) {
        Row row = unplannedTrial(activity, point, activity + ":" + point);
        rows.add(row);
        System.out.printf("chaos unplanned %-17s %-6s crashed=%s %s in %.1f s, outage %.0f ms%s%n", activity, point,
            row.crashed(), row.outcome(), row.seconds(), row.outageMillis(),
            row.ok() ? "" : "  PROBLEMS " + row.violations() + " lost=" + row.lost());
      }
    }
    printMatrix("unplanned failover", rows, baseline);
    assertThat(rows).allSatisfy(r -> assertThat(r.ok()).as(r.toString()).isTrue());
  }

  @Test
  void aTemporalServerRestartMidFailoverIsSurvived() throws Exception {
    HandoffConfig config = chaosConfig(LAB.info().config(), false);
    LabClients lab = new LabClients(config);
    Path work = Files.createTempDirectory(Path.of("/tmp"), "ht-");
    String primary = StatusReport.read(config).clusters().get(0).kvPrimary();
    String target = lab.instances("c1").stream().filter(k -> !k.equals(primary)).findFirst().orElseThrow();
    WorkflowServiceStubs service = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(config.temporal().target()).build());
    try (WriteLoad load = WriteLoad.start(lab.localWriter("c1"), config.credentials().application(), 3,
        900_000_000L);
         WorkerProcess w = WorkerProcess.start(config, work, "w", "PublishTopology:before", "delay:8000")) {
      WorkflowClient client = client(service, config);
      w.awaitReady(30_000);
      load.awaitAcks(30, 10_000);
      PlannedFailoverWorkflow wf = Runbooks.planned(client, config, WorkflowIds.failover("c1"));
      WorkflowClient.start(wf::switchover, new SwitchoverRequest("c1", InstanceKey.parse(target), false));
      assertThat(w.awaitLog("failpoint PublishTopology:before", 30_000)).isTrue();
      long t0 = System.nanoTime();
      Lab.restartTemporal(LAB.info());
      System.out.printf("Temporal restarted mid-failover (after promotion) in %.1f s%n", (System.nanoTime() - t0) / 1e9);
      assertThat(outcome(client, config)).isEqualTo(FailoverProgress.COMPLETED);
      assertThat(load.awaitAcks(30, 10_000)).as("writes resumed after the switchover").isTrue();
      load.close();
      ClusterStatus s = awaitHealthy(config);
      assertThat(s.problems()).isEmpty();
      assertThat(s.kvPrimary()).isEqualTo(target);
      try (Connection c = lab.admin(s.kvPrimary())) {
        assertThat(WriteLoad.missing(c, load.acknowledged())).isEmpty();
      }
      assertThat(HistorySecretsCheck.workerLogLeaks(config, w.log)).isEmpty();
    } finally {
      service.shutdownNow();
    }
  }

  /** A fresh lab, a worker with the failpoint, the primary killed under write load, a second worker. */
  static Row unplannedTrial(String activity, String point, String failpoint) throws Exception {
    Path dir = Files.createTempDirectory(Path.of("/tmp"), "hu-");
    LabInfo info = Lab.up(new LabSpec(dir, 1, 2, null), line -> { });
    HandoffConfig config = chaosConfig(info.config(), true);
    LabClients lab = new LabClients(config);
    WorkflowServiceStubs service = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(config.temporal().target()).build());
    try (WriteLoad load = WriteLoad.start(lab.localWriter("c1"), config.credentials().application(), 3, 1);
         WorkerProcess w1 = WorkerProcess.start(config, dir, "w1", failpoint, "pause")) {
      WorkflowClient client = client(service, config);
      w1.awaitReady(30_000);
      load.awaitAcks(50, 10_000);
      Waits.analysis(client, config, "c1", "NoProblem", Duration.ofSeconds(30));
      String dead = lab.instances("c1").get(0);
      long t0 = System.nanoTime();
      info.mariadb("c1", dead).signal("KILL");
      boolean crashed = failpoint == null || w1.awaitLog("failpoint " + failpoint, 40_000);
      long pausedAt = System.nanoTime();
      long killedAt = pausedAt;
      String outcome;
      try (WorkerProcess w2 = WorkerProcess.start(config, dir, "w2", null)) {
        w2.awaitReady(30_000);
        if (failpoint != null) {
          killedAt = System.nanoTime();
          w1.kill9();
        }
        awaitFailoverStarted(client);
        outcome = outcome(client, config);
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      boolean resumed = load.awaitAcks(30, 10_000);
      load.close();
      ClusterStatus s = awaitHealthy(config);
      long lost;
      try (Connection c = lab.admin(s.kvPrimary())) {
        lost = WriteLoad.missing(c, load.acknowledged()).size();
      }
      List<String> violations = new ArrayList<>(s.problems());
      if (!resumed) {
        violations.add(WRITES_NEVER_RESUMED);
      }
      for (Path log : List.of(w1.log, dir.resolve("w2.log"))) {
        HistorySecretsCheck.workerLogLeaks(config, log).forEach(l -> violations.add("secret in " + l.where()));
      }
      dev.handoff.lab.HistorySecrets.scan(config).leaks().forEach(l -> violations.add("secret in " + l.where()));
      // The time the test held the first worker paused (while the second booted) is not the crash's.
      return new Row("unplanned", activity, point, crashed, outcome, seconds, violations, lost,
          load.longestGapMillisExcluding(t0, pausedAt, killedAt));
    } finally {
      service.shutdownNow();
      Lab.down(dir, false, line -> { });
    }
  }

  static void awaitFailoverStarted(WorkflowClient client) throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < deadline) {
      try {
        client.newUntypedWorkflowStub(WorkflowIds.failover("c1")).describe();
        return;
      } catch (RuntimeException notYet) {
        Thread.sleep(100);
      }
    }
  }

  static void printMatrix(String title, List<Row> rows, Row baseline) {
    System.out.println();
    System.out.println("chaos matrix, " + title + ": step x crash point -> outcome (seconds to finish)");
    System.out.printf("%-18s %-26s %-26s %-26s%n", "step", "before", "during", "after");
    List<String> activities = rows.stream().map(Row::activity).distinct().toList();
    for (String a : activities) {
      StringBuilder line = new StringBuilder(String.format("%-18s", a));
      for (String p : POINTS) {
        rows.stream().filter(r -> r.activity().equals(a) && r.point().equals(p)).findFirst().ifPresent(r ->
            line.append(String.format(" %-26s", (r.ok() ? "ok" : r.crashed() ? r.outcome().lines().findFirst()
                .orElse("") : "NOT REACHED")
                + String.format(" (%.1f s)", r.seconds()))));
      }
      System.out.println(line);
    }
    long completed = rows.stream().filter(r -> FailoverProgress.COMPLETED.equals(r.outcome())).count();
    long violations = rows.stream().mapToLong(r -> r.violations().size()).sum();
    long lost = rows.stream().mapToLong(Row::lost).sum();
    System.out.printf("crash trials run %d, completed %d, invariant violations %d (target 0), acknowledged writes"
        + " lost %d (target 0)%n", rows.size(), completed, violations, lost);
    if (baseline != null) {
      List<Double> extra = rows.stream().map(r -> r.outageMillis() - baseline.outageMillis()).toList();
      System.out.printf("extra write outage a worker crash adds: p50 %.0f ms, max %.0f ms (target: at most the"
          + " heartbeat timeout %d s + 2 s)%n", Percentiles.of(extra, 50), extra.stream().mapToDouble(d -> d).max()
          .orElse(0), RunbookOptions.HEARTBEAT_TIMEOUT.toSeconds());
    }
  }
}
