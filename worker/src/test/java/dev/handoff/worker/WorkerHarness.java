package dev.handoff.worker;

import dev.handoff.domain.AnalysisCode;
import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.client.Runbooks;
import dev.handoff.runbook.RunbookProgress;
import dev.handoff.config.HandoffConfig;
import dev.handoff.domain.InstanceKey;
import dev.handoff.lab.LabClients;
import dev.handoff.runbook.WorkflowIds;
import dev.handoff.lab.Waits;
import dev.handoff.lab.WriteLoad;
import dev.handoff.recovery.WatchMode;
import dev.handoff.recovery.WatchStatus;
import dev.handoff.status.ClusterStatus;
import dev.handoff.switchover.SwitchoverWorkflow;
import dev.handoff.switchover.SwitchoverRequest;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/** An in-process worker on a lab, and a client that runs switchovers through it. */
final class WorkerHarness implements AutoCloseable {
  final HandoffConfig config;
  final LabClients lab;
  final HandoffWorker worker;
  final WorkflowServiceStubs service;
  final WorkflowClient client;
  final List<String> runIds = new ArrayList<>();
  /** A switchover on the lab takes seconds; one still running after this is wedged. */
  static final Duration RESULT_TIMEOUT = Duration.ofSeconds(60);

  /** The lab's config with other worker settings (source address, watch on or off). */
  static HandoffConfig withWorker(HandoffConfig c, dev.handoff.config.WorkerSettings worker) {
    return new HandoffConfig(c.temporal(), c.kv(), c.credentials(), c.haproxy(), c.clusters(), worker);
  }

  WorkerHarness(HandoffConfig config) {
    this(config, true);
  }

  /**
   * A client only, no worker in this JVM: the runbooks run in a {@link WorkerProcess} the test starts (one
   * with failpoints must be the only worker, or its steps may run elsewhere).
   */
  static WorkerHarness clientOnly(HandoffConfig config) {
    return new WorkerHarness(config, false);
  }

  private WorkerHarness(HandoffConfig config, boolean withWorker) {
    this.config = config;
    this.lab = new LabClients(config);
    this.worker = withWorker ? HandoffWorker.start(config) : null;
    this.service = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(config.temporal().target()).build());
    this.client = WorkflowClient.newInstance(service,
        WorkflowClientOptions.newBuilder().setNamespace(config.temporal().namespace()).build());
  }

  /**
   * Runs a switchover (or its dry run) to the end; a refusal or rollback throws WorkflowFailedException,
   * one still running after {@link #RESULT_TIMEOUT} an AssertionError with the {@link #diagnostics}.
   */
  RunbookProgress switchover(String cluster, String candidate, boolean dryRun) {
    String id = dryRun ? WorkflowIds.dryRun(cluster) : WorkflowIds.failover(cluster);
    SwitchoverWorkflow wf = Runbooks.switchover(client, config, id);
    WorkflowExecution ex = WorkflowClient.start(wf::switchover,
        new SwitchoverRequest(cluster, candidate == null ? null : InstanceKey.parse(candidate), dryRun));
    runIds.add(ex.getWorkflowId() + "/" + ex.getRunId());
    return Waits.result(client, config, cluster, id, RESULT_TIMEOUT);
  }

  /** The runbooks' progress, the cluster's state and its watch's: what a wait that ran out reports. */
  String diagnostics(String cluster) {
    return Waits.diagnostics(client, config, cluster);
  }

  WatchStatus watch(String cluster) {
    return Waits.watch(client, cluster);
  }

  /** Waits until {@code ready} holds; fails with the diagnostics of {@code cluster} at the timeout. */
  void await(String cluster, BooleanSupplier ready, long timeoutMillis, String what) {
    Waits.until(client, config, cluster, ready, Duration.ofMillis(timeoutMillis), what);
  }

  /** Waits until the watch has made {@code n} recoveries and returns its status then; fails at the timeout. */
  WatchStatus awaitRecoveries(String cluster, int n, long timeoutMillis) {
    await(cluster, () -> watch(cluster).recoveries() >= n, timeoutMillis, "the watch to make " + n + " recoveries");
    return watch(cluster);
  }

  /** The cluster's status once healthy; fails with the diagnostics when it is not healthy by the timeout. */
  ClusterStatus awaitHealthy(String cluster, long timeoutMillis) {
    ClusterStatus s = Waits.healthy(config, cluster, Duration.ofMillis(timeoutMillis));
    if (!s.healthy()) {
      throw new AssertionError(cluster + " not healthy within " + timeoutMillis + " ms: " + s.problems() + "\n"
          + diagnostics(cluster));
    }
    return s;
  }

  /** Waits until the watch reports {@code code}; fails with the diagnostics at the timeout. */
  WatchStatus awaitAnalysis(String cluster, String code, long timeoutMillis) {
    return Waits.analysis(client, config, cluster, code, Duration.ofMillis(timeoutMillis));
  }

  ClusterStatus status(String cluster) {
    return Waits.status(config, cluster);
  }

  /** The watch status and the cluster status, for assertion messages; never throws. */
  String describe(String cluster) {
    return "\n" + diagnostics(cluster);
  }

  /** The cluster as a test finds it, to tell afterwards what the watch did during the test. */
  record Baseline(long epoch, int recoveries, List<String> events) {}

  Baseline baseline(String cluster) {
    dev.handoff.recovery.WatchStatus w = watch(cluster);
    return new Baseline(status(cluster).kvEpoch(), w.recoveries(), List.copyOf(w.events()));
  }

  /** Waits (bounded) for the watch to report NoProblem, then takes the baseline a test starts from. */
  Baseline noProblemBaseline(String cluster) throws InterruptedException {
    awaitAnalysis(cluster, "NoProblem", 20_000);
    return baseline(cluster);
  }

  /** After a test's disturbance is undone: NoProblem again (bounded) and the topology's epoch unmoved. */
  void assertBackToNoProblem(String cluster, Baseline b) throws InterruptedException {
    awaitWatch(cluster, b, w -> AnalysisCode.NO_PROBLEM == w.lastAnalysis(), 30_000, "returned to NoProblem");
    assertEpochUnchanged(cluster, b);
  }

  /**
   * Fails, with both statuses, when since the baseline the watch judged the primary dead, started a
   * recovery or made one.
   */
  void assertNoFailoverSince(String cluster, Baseline b, dev.handoff.recovery.WatchStatus w) {
    List<String> fresh = w.events().stream().filter(e -> !b.events().contains(e)).toList();
    String why = w.mode() == WatchMode.RECOVERING ? "the watch is recovering"
        : w.recoveries() != b.recoveries() ? "the watch made " + (w.recoveries() - b.recoveries()) + " recoveries"
        : AnalysisCode.DEAD_PRIMARY == w.lastAnalysis() ? "the watch's analysis is DeadPrimary"
        : fresh.stream().anyMatch(e -> e.contains("DeadPrimary")) ? "an event says DeadPrimary"
        : null;
    if (why != null) {
      throw new AssertionError("no failover expected, but " + why + describe(cluster));
    }
  }

  /** Fails, with both statuses, when the topology's epoch moved since the baseline. */
  void assertEpochUnchanged(String cluster, Baseline b) {
    ClusterStatus s = status(cluster);
    if (s.kvEpoch() == null || s.kvEpoch() != b.epoch()) {
      throw new AssertionError("the topology epoch moved from " + b.epoch() + " to " + s.kvEpoch()
          + describe(cluster));
    }
  }

  /**
   * Waits (bounded) until the watch's status satisfies {@code until}; with a baseline, also fails at once
   * if a failover shows meanwhile. At the bound fails with {@code what} and both statuses.
   */
  dev.handoff.recovery.WatchStatus awaitWatch(String cluster, Baseline noFailoverSince,
      Predicate<dev.handoff.recovery.WatchStatus> until, long millis, String what) throws InterruptedException {
    long deadline = System.nanoTime() + millis * 1_000_000;
    while (System.nanoTime() < deadline) {
      dev.handoff.recovery.WatchStatus w = null;
      try {
        w = watch(cluster);
      } catch (RuntimeException notYet) {
        // the watch starts with the worker
      }
      if (w != null) {
        if (noFailoverSince != null) {
          assertNoFailoverSince(cluster, noFailoverSince, w);
        }
        if (until.test(w)) {
          return w;
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("within " + millis + " ms the watch never " + what + describe(cluster));
  }

  /** Watches for {@code millis}, failing at once on any sign of a failover; returns the last status. */
  dev.handoff.recovery.WatchStatus assertNoFailoverFor(String cluster, Baseline b, long millis)
      throws InterruptedException {
    long deadline = System.nanoTime() + millis * 1_000_000;
    dev.handoff.recovery.WatchStatus w = watch(cluster);
    while (System.nanoTime() < deadline) {
      w = watch(cluster);
      assertNoFailoverSince(cluster, b, w);
      Thread.sleep(250);
    }
    assertEpochUnchanged(cluster, b);
    return w;
  }

  /** Waits (bounded) until the cluster is healthy; fails with both statuses when it is not. */
  ClusterStatus assertHealthyWithin(String cluster, long millis) throws InterruptedException {
    ClusterStatus s = awaitHealthy(cluster, millis);
    if (!s.healthy()) {
      throw new AssertionError("the cluster is not healthy after " + millis + " ms: " + s.problems()
          + describe(cluster));
    }
    return s;
  }

  /** Runs statements on an instance as the admin user. */
  void sql(String instance, String... statements) throws SQLException {
    try (Connection c = lab.admin(instance); Statement st = c.createStatement()) {
      for (String sql : statements) {
        st.execute(sql);
      }
    }
  }

  /** Like {@link #sql}, for cleanup: a failure is printed, never thrown (the health check that follows judges). */
  void sqlQuietly(String instance, String... statements) {
    try {
      sql(instance, statements);
    } catch (SQLException | RuntimeException e) {
      System.out.println("cleanup on " + instance + " failed: " + e.getMessage());
    }
  }

  /** The first column of the first row, or null when there is none. */
  String query(String instance, String sql) throws SQLException {
    try (Connection c = lab.admin(instance); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  boolean readOnly(String instance) throws SQLException {
    return "1".equals(query(instance, "SELECT @@global.read_only"));
  }

  /** The instances of a cluster other than the topology's primary. */
  List<String> replicas(String cluster) {
    String primary = status(cluster).kvPrimary();
    return lab.instances(cluster).stream().filter(k -> !k.equals(primary)).toList();
  }

  /** What a refused request must leave exactly as it was: roles, sources, read_only, KV, routes. */
  String topologyFingerprint(String cluster) {
    return Waits.topology(status(cluster));
  }

  /** Waits until {@code load} has {@code n} more acknowledged writes; fails with the diagnostics at the timeout. */
  void awaitWrites(String cluster, WriteLoad load, int n, long timeoutMillis, String when) {
    if (!load.awaitAcks(n, timeoutMillis)) {
      throw new AssertionError("writes did not flow " + when + ": fewer than " + n + " acknowledged in "
          + timeoutMillis + " ms (" + load.failures() + " failed attempts so far)\n" + diagnostics(cluster));
    }
  }

  /**
   * Invariant 6 on every instance: each replica catches up with {@code primary}'s binlog position (at most
   * 10 s), then none lacks a write {@code load} got an OK for.
   */
  void assertNoAcknowledgedWriteLost(String cluster, String primary, WriteLoad load) throws SQLException {
    String position;
    try (Connection c = lab.admin(primary); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT @@gtid_binlog_pos")) {
      rs.next();
      position = rs.getString(1);
    }
    List<Long> acked = load.acknowledged();
    for (String instance : lab.instances(cluster)) {
      try (Connection c = lab.admin(instance)) {
        if (!instance.equals(primary)) {
          try (Statement st = c.createStatement();
               ResultSet rs = st.executeQuery("SELECT MASTER_GTID_WAIT('" + position + "', 10)")) {
            rs.next();
            assertThat(rs.getInt(1)).as(() -> instance + " caught up with " + position + "\n" + diagnostics(cluster))
                .isZero();
          }
        }
        assertThat(WriteLoad.missing(c, acked)).as("acknowledged writes missing on " + instance).isEmpty();
      }
    }
  }

  /** Configured secrets found in any history this harness produced, every payload decoded. */
  List<dev.handoff.lab.HistorySecrets.Leak> historyLeaks() {
    List<dev.handoff.lab.HistorySecrets.Leak> out = new ArrayList<>();
    for (String idRun : runIds) {
      String[] p = idRun.split("/");
      WorkflowExecutionHistory h = client.fetchHistory(p[0], p[1]);
      out.addAll(dev.handoff.lab.HistorySecrets.leaks(config, "history of " + idRun, h.getHistory()));
    }
    return out;
  }


  @Override
  public void close() {
    service.shutdownNow();
    if (worker != null) {
      worker.close();
    }
  }
}
