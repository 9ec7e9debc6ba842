package dev.handoff.worker;

import dev.handoff.runbook.RunbookState;
import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.client.Runbooks;
import dev.handoff.lab.Percentiles;
import dev.handoff.config.HandoffConfig;
import dev.handoff.config.WorkerSettings;
import dev.handoff.domain.InstanceKey;
import dev.handoff.lab.Lab;
import dev.handoff.lab.LabClients;
import dev.handoff.lab.LabExtension;
import dev.handoff.lab.LabInfo;
import dev.handoff.lab.Waits;
import dev.handoff.lab.WriteLoad;
import dev.handoff.runbook.RunbookProgress;
import dev.handoff.runbook.RunbookOptions;
import dev.handoff.runbook.WorkflowIds;
import dev.handoff.status.ClusterStatus;
import dev.handoff.status.StatusReport;
import dev.handoff.switchover.SwitchoverWorkflow;
import dev.handoff.switchover.SwitchoverRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowFailedException;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import dev.handoff.support.Failpoints;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The chaos suite: for every activity of the planned and of the unplanned failover, the worker (its own
 * OS process) stops at a named failpoint before the activity, during it, or after it and before Temporal
 * records it; a second worker starts, and the first is killed with SIGKILL: the second must finish the
 * failover without a restart of the first, with every invariant holding and no acknowledged write lost.
 * In the halt rows the first worker halts itself at the failpoint (as {@code kill -9} there would) and the
 * second starts only after it is gone. Prints the matrix and the suite's figures. Another test restarts the
 * Temporal server mid-failover.
 *
 * <p>By default (CI) each step runs once, the crash point rotating through before, during and after, plus
 * the halt rows; {@code -Dhandoff.chaos=full} runs every step at every crash point, plus the halt rows.
 * Each trial's two worker JVMs are started ahead (see {@link WorkerProcess#standby}); the workers in them
 * start only when the trial says so.
 */
class ChaosIT {
  /** Every step at every crash point when set to {@code full}; else the rotation CI runs. */
  static final boolean FULL = "full".equals(System.getProperty("handoff.chaos"));
  /** A trial after which the client's writes did not come back within 10 s: a failure, never a 0 ms outage. */
  static final String WRITES_NEVER_RESUMED = "writes never resumed within 10 s of the runbook's end";
  @RegisterExtension
  static final LabExtension LAB = LabExtension.clusters(1).replicas(2);

  static final List<String> POINTS = List.of("before", "during", "after");
  static final List<String> PLANNED = List.of("DescribeCluster", "ReadTopology", "InspectCluster", "PingHaproxy",
      "MoveReplica", "CheckWritable", "SetReadOnly", "WaitForGtid", "Promote", "PublishTopology", "RepointWriter",
      "RestartHeartbeat", "RejoinAsReplica");
  static final List<String> UNPLANNED = List.of("DescribeCluster", "ReadTopology", "ProbeCluster", "StopReceiving", "FenceWriter",
      "InspectClusterExcept", "CatchUp", "CheckWritable", "Promote", "RepointRoutes", "PublishTopology", "MoveReplica",
      "RestartHeartbeat", "SetReadOnly");

  /** The first worker halts itself at the failpoint in these rows, one per runbook. */
  static final Trial PLANNED_HALT = new Trial("Promote", "during", "halt");
  static final Trial UNPLANNED_HALT = new Trial("Promote", "during", "halt");

  /**
   * One row of the matrix: where the first worker stops, and how: {@code pause} (the second worker starts,
   * then the first is killed) or {@code halt} (it halts itself; the second starts after). Activity
   * {@code none}: no failpoint.
   */
  record Trial(String activity, String point, String action) {
    String failpoint() {
      return activity.equals("none") ? null : activity + ":" + point;
    }

    boolean halts() {
      return action.equals("halt");
    }

    /** The matrix line it is printed on. */
    String step() {
      return halts() ? activity + " (halt)" : activity;
    }
  }

  /** One trial's outcome. */
  record Row(String kind, Trial trial, boolean crashed, String outcome, double seconds,
      List<String> violations, long lost, double outageMillis) {
    boolean ok() {
      return crashed && RunbookState.COMPLETED.wireName().equals(outcome) && violations.isEmpty() && lost == 0;
    }
  }

  /**
   * The rows to run over {@code steps}: every reachable crash point of each step with {@link #FULL}, else one
   * per step, the point rotating through before, during and after; then {@code halt}.
   */
  static List<Trial> matrix(List<String> steps, Function<String, List<String>> reachable, Trial halt) {
    List<Trial> trials = new ArrayList<>();
    for (int i = 0; i < steps.size(); i++) {
      String step = steps.get(i);
      List<String> points = reachable.apply(step);
      for (String point : FULL ? points : List.of(points.get(i % points.size()))) {
        trials.add(new Trial(step, point, "pause"));
      }
    }
    trials.add(halt);
    return trials;
  }

  /**
   * A trial's body, given its two worker JVMs (on standby) and a call that starts the next trial's. Its row may
   * complete after it returns (its last checks running beside the next trial's start); it closes both JVMs.
   */
  interface TrialBody {
    CompletableFuture<Row> run(Trial trial, WorkerProcess w1, WorkerProcess w2, Runnable prepareNext)
        throws Exception;
  }

  /**
   * Runs the trials in order, each with the pair of standby JVMs started for it: the pair of trial 1 at once,
   * that of trial n + 1 when trial n calls {@code prepareNext} or at its end. Prints each row as it ends.
   */
  static List<Row> runTrials(Path work, String kind, List<Trial> trials, TrialBody body) throws Exception {
    List<CompletableFuture<Row>> rows = new ArrayList<>();
    List<WorkerProcess[]> pairs = new ArrayList<>();
    Runnable[] prepare = new Runnable[trials.size()];
    for (int i = 0; i < trials.size(); i++) {
      int n = i;
      prepare[i] = () -> {
        if (pairs.size() == n) {
          Trial t = trials.get(n);
          String name = kind + "-" + (n + 1);
          try {
            pairs.add(new WorkerProcess[] {WorkerProcess.standby(work, name + "-w1", t.failpoint(), t.action()),
                WorkerProcess.standby(work, name + "-w2", null, null)});
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };
    }
    prepare[0].run();
    try {
      for (int i = 0; i < trials.size(); i++) {
        Runnable next = i + 1 < trials.size() ? prepare[i + 1] : () -> { };
        Trial t = trials.get(i);
        rows.add(body.run(t, pairs.get(i)[0], pairs.get(i)[1], next).thenApply(row -> {
          System.out.printf("chaos %s %-17s %-6s %-5s crashed=%s %s in %.1f s, outage %.0f ms%s%n", kind, t.activity(),
              t.point(), t.action(), row.crashed(), row.outcome(), row.seconds(), row.outageMillis(),
              row.ok() ? "" : "  PROBLEMS " + row.violations() + " lost=" + row.lost());
          return row;
        }));
        next.run();
      }
      List<Row> done = new ArrayList<>();
      for (CompletableFuture<Row> row : rows) {
        done.add(row.get(TrialLabs.DOWN_SECONDS, TimeUnit.SECONDS));
      }
      return done;
    } finally {
      for (WorkerProcess[] pair : pairs) {
        pair[0].close();
        pair[1].close();
      }
    }
  }

  /**
   * Brings the first worker down at its failpoint the trial's way and the second up: paused, the first is
   * frozen (SIGSTOP), the second starts and then the first is killed; halted, the second starts only once the
   * first has exited by itself. True when the first worker stopped at the failpoint (and, halting, exited with
   * the halt's code).
   */
  static boolean crashAndTakeOver(Trial t, WorkerProcess w1, WorkerProcess w2, HandoffConfig config, Path work,
      String w2Name) throws Exception {
    boolean crashed = w1.awaitLog("failpoint " + t.failpoint(), 40_000);
    if (t.halts()) {
      crashed = crashed && w1.awaitExit(10_000) && w1.process.exitValue() == Failpoints.HALT_EXIT_CODE;
    } else if (crashed) {
      // Paused at the failpoint, its pollers would still take the step's retry (and pause again): stop it whole.
      w1.freeze();
    }
    w2.go(config, work, w2Name);
    w2.awaitReady(30_000);
    if (!t.halts()) {
      w1.kill9();
    }
    return crashed;
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

  /** What a trial left: the cluster's problems (and writes that never resumed), acknowledged writes lost. */
  record Aftermath(List<String> problems, long lost) {}

  /**
   * Waits for the client's writes to come back and the cluster to be healthy (bounded), stops the load, and
   * counts the acknowledged writes the primary lacks.
   */
  static Aftermath aftermath(HandoffConfig config, LabClients lab, WriteLoad load) throws Exception {
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
    return new Aftermath(problems, lost);
  }

  /**
   * How the failover of c1 ended, waiting at most 90 s; one that did not end (or never started) says so
   * on its first line, followed by the diagnostics.
   */
  static String outcome(WorkflowClient client, HandoffConfig config) {
    try {
      return Waits.result(client, config, "c1", WorkflowIds.failover("c1"), Duration.ofSeconds(90)).state().wireName();
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
    List<Trial> trials = matrix(PLANNED, a -> POINTS, PLANNED_HALT);
    WorkflowServiceStubs service = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(config.temporal().target()).build());
    List<Row> rows;
    try {
      WorkflowClient client = client(service, config);
      int[] trial = {0};
      // The last trial's second worker, shutting down while the next trial starts its first.
      WorkerProcess[] lastW2 = {null};
      rows = runTrials(work, "planned", trials, (t, w1, w2, prepareNext) -> {
        trial[0]++;
        String name = "planned-" + trial[0];
        String primary = StatusReport.read(config).clusters().get(0).kvPrimary();
        List<String> others = lab.instances("c1").stream().filter(k -> !k.equals(primary)).toList();
        String target = others.get(trial[0] % others.size());
        long t0 = System.nanoTime();
        try (w1; WriteLoad load = WriteLoad.start(lab.localWriter("c1"), config.credentials().application(), 3,
            trial[0] * 10_000_000L)) {
          w1.go(config, work, name + "-w1");
          w1.awaitReady(30_000);
          load.awaitAcks(30, 10_000);
          // No task of this runbook exists before it starts: the last trial's worker is gone by then.
          if (lastW2[0] != null) {
            lastW2[0].close();
          }
          lastW2[0] = w2;
          SwitchoverWorkflow wf = Runbooks.switchover(client, config, WorkflowIds.failover("c1"));
          WorkflowClient.start(wf::switchover, new SwitchoverRequest("c1", InstanceKey.parse(target), false));
          // Two workers: the second is up before the first is killed (or after it halted), and finishes alone.
          boolean crashed = crashAndTakeOver(t, w1, w2, config, work, name + "-w2");
          // The next trial's JVMs start while Temporal notices the dead worker (a heartbeat timeout of waiting).
          prepareNext.run();
          String outcome = outcome(client, config);
          double seconds = (System.nanoTime() - t0) / 1e9;
          // The runbook has ended: the second worker shuts down (seconds) beside the aftermath and the next
          // trial's start, which waits for it to be gone before its runbook starts.
          w2.stop();
          Aftermath after = aftermath(config, lab, load);
          return CompletableFuture.completedFuture(new Row("planned", t, crashed, outcome, seconds, after.problems(),
              after.lost(), load.longestGapMillis(t0)));
        }
      });
    } finally {
      service.shutdownNow();
    }
    printMatrix("planned switchover", rows, null);
    assertThat(rows).allSatisfy(r -> assertThat(r.ok()).as(r.toString()).isTrue());
    try (var logs = Files.list(work)) {
      for (Path log : logs.filter(f -> f.toString().endsWith(".log")).toList()) {
        assertThat(HistorySecretsCheck.workerLogLeaks(config, log)).as("secrets in " + log).isEmpty();
        if (log.toString().endsWith("-w2.log")) {
          // The second worker stops as an operator stops one (SIGTERM): its idle pollers end quietly.
          assertThat(Files.readString(log)).as(log.toString()).doesNotContain("Failure in poller thread");
        }
      }
    }
  }

  @Test
  void anUnplannedFailoverCompletesWhateverStepItsWorkerDiesAt() throws Exception {
    Path work = Files.createTempDirectory(Path.of("/tmp"), "hu-");
    List<Trial> trials = new ArrayList<>(List.of(new Trial("none", "-", "pause")));
    // The old primary is dead: setting it read-only fails at connect, so only "before" is reachable.
    trials.addAll(matrix(UNPLANNED, a -> a.equals("SetReadOnly") ? List.of("before") : POINTS, UNPLANNED_HALT));
    List<Row> all;
    try (TrialLabs labs = new TrialLabs(trials.size())) {
      all = runTrials(work, "unplanned", trials, (t, w1, w2, prepareNext) ->
          unplannedTrial(t, w1, w2, work, labs, prepareNext));
    }
    Row baseline = all.get(0);
    List<Row> rows = all.subList(1, all.size());
    System.out.printf("chaos unplanned baseline (no crash): %s, write outage %.0f ms%n", baseline.outcome(),
        baseline.outageMillis());
    assertThat(baseline.outcome()).isEqualTo(RunbookState.COMPLETED.wireName());
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
      SwitchoverWorkflow wf = Runbooks.switchover(client, config, WorkflowIds.failover("c1"));
      WorkflowClient.start(wf::switchover, new SwitchoverRequest("c1", InstanceKey.parse(target), false));
      assertThat(w.awaitLog("failpoint PublishTopology:before", 30_000)).isTrue();
      long t0 = System.nanoTime();
      Lab.restartTemporal(LAB.info());
      System.out.printf("Temporal restarted mid-failover (after promotion) in %.1f s%n", (System.nanoTime() - t0) / 1e9);
      assertThat(outcome(client, config)).isEqualTo(RunbookState.COMPLETED.wireName());
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

  /**
   * A fresh lab (from {@code labs}), a worker with the failpoint, the primary killed under write load, a second
   * worker.
   */
  static CompletableFuture<Row> unplannedTrial(Trial t, WorkerProcess w1, WorkerProcess w2, Path work,
      TrialLabs labs, Runnable prepareNext) throws Exception {
    String name = w1.log.getFileName().toString().replace("-w1.log", "");
    LabInfo info = labs.take();
    HandoffConfig config = chaosConfig(info.config(), true);
    LabClients lab = new LabClients(config);
    WorkflowServiceStubs service = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(config.temporal().target()).build());
    boolean handedOver = false;
    try (WriteLoad load = WriteLoad.start(lab.localWriter("c1"), config.credentials().application(), 3, 1)) {
      WorkflowClient client = client(service, config);
      w1.go(config, work, name + "-w1");
      w1.awaitReady(30_000);
      load.awaitAcks(50, 10_000);
      Waits.analysis(client, config, "c1", "NoProblem", Duration.ofSeconds(30));
      // The previous trial's lab is down and the next one's up before this crash: no lab starts or stops in it.
      labs.awaitQuiet();
      String dead = lab.instances("c1").get(0);
      long t0 = System.nanoTime();
      info.mariadb("c1", dead).signal("KILL");
      boolean crashed = true;
      long stoppedAt = System.nanoTime();
      long tookOverAt = stoppedAt;
      if (t.failpoint() == null) {
        w2.go(config, work, name + "-w2");
        w2.awaitReady(30_000);
      } else {
        crashed = w1.awaitLog("failpoint " + t.failpoint(), 40_000);
        stoppedAt = System.nanoTime();
        crashed = crashAndTakeOver(t, w1, w2, config, work, name + "-w2") && crashed;
        tookOverAt = System.nanoTime();
      }
      awaitFailoverStarted(client);
      String outcome = outcome(client, config);
      double seconds = (System.nanoTime() - t0) / 1e9;
      // The runbook has ended: the workers shut down (seconds) beside the aftermath; their logs are read after.
      w1.stop();
      w2.stop();
      // Only now (the write outage it measures is over): the next trial's JVMs start.
      prepareNext.run();
      Aftermath after = aftermath(config, lab, load);
      // The time the test held the first worker stopped (while the second started) is not the crash's.
      double outage = load.longestGapMillisExcluding(t0, stoppedAt, tookOverAt);
      // The rest waits for the workers' shutdown: it runs beside the next trial's start, then the lab stops.
      boolean stopped = crashed;
      CompletableFuture<Row> row = labs.stopAfter(info, () -> {
        w1.close();
        w2.close();
        List<String> violations = new ArrayList<>(after.problems());
        for (Path log : List.of(w1.log, w2.log)) {
          HistorySecretsCheck.workerLogLeaks(config, log).forEach(l -> violations.add("secret in " + l.where()));
        }
        dev.handoff.lab.HistorySecrets.scan(config).leaks().forEach(l -> violations.add("secret in " + l.where()));
        service.shutdownNow();
        return new Row("unplanned", t, stopped, outcome, seconds, violations, after.lost(), outage);
      });
      handedOver = true;
      return row;
    } finally {
      if (!handedOver) {
        w1.close();
        w2.close();
        service.shutdownNow();
        labs.stopAfter(info, () -> null);
      }
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
    List<String> steps = rows.stream().map(r -> r.trial().step()).distinct().toList();
    for (String step : steps) {
      StringBuilder line = new StringBuilder(String.format("%-18s", step));
      for (String p : POINTS) {
        line.append(rows.stream().filter(r -> r.trial().step().equals(step) && r.trial().point().equals(p))
            .findFirst().map(r -> String.format(" %-26s", (r.ok() ? "ok" : r.crashed() ? r.outcome().lines()
                .findFirst().orElse("") : "NOT REACHED") + String.format(" (%.1f s)", r.seconds())))
            .orElse(String.format(" %-26s", "-")));
      }
      System.out.println(line);
    }
    System.out.println(FULL ? "(every step at every crash point: -Dhandoff.chaos=full)"
        : "(one crash point per step, rotating; every point with -Dhandoff.chaos=full)");
    long completed = rows.stream().filter(r -> RunbookState.COMPLETED.wireName().equals(r.outcome())).count();
    long violations = rows.stream().mapToLong(r -> r.violations().size()).sum();
    long lost = rows.stream().mapToLong(Row::lost).sum();
    System.out.printf("crash trials run %d, completed %d, invariant violations %d (target 0), acknowledged writes"
        + " lost %d (target 0)%n", rows.size(), completed, violations, lost);
    if (baseline != null) {
      List<Double> extra = rows.stream().map(r -> r.outageMillis() - baseline.outageMillis()).toList();
      System.out.printf("extra write outage a worker crash adds: p50 %.0f ms, max %.0f ms (target: at most the"
          + " workflow task timeout %d s, after which another worker runs the local steps again, + 2 s)%n",
          Percentiles.of(extra, 50), extra.stream().mapToDouble(d -> d).max().orElse(0),
          RunbookOptions.WORKFLOW_TASK_TIMEOUT.toSeconds());
    }
  }
}
