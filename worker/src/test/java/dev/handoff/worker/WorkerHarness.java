package dev.handoff.worker;

import dev.handoff.runbook.FailoverProgress;
import dev.handoff.config.HandoffConfig;
import dev.handoff.config.SecretRef;
import dev.handoff.domain.InstanceKey;
import dev.handoff.lab.LabClients;
import dev.handoff.runbook.WorkflowIds;
import dev.handoff.status.ClusterStatus;
import dev.handoff.status.InstanceStatus;
import dev.handoff.status.StatusReport;
import dev.handoff.switchover.PlannedFailoverWorkflow;
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
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** An in-process worker on a lab, and a client that runs switchovers through it. */
final class WorkerHarness implements AutoCloseable {
  final HandoffConfig config;
  final LabClients lab;
  final HandoffWorker worker;
  final WorkflowServiceStubs service;
  final WorkflowClient client;
  final List<String> runIds = new ArrayList<>();

  /** The lab's config with other worker settings (source address, watch on or off). */
  static HandoffConfig withWorker(HandoffConfig c, dev.handoff.config.WorkerSettings worker) {
    return new HandoffConfig(c.temporal(), c.kv(), c.credentials(), c.haproxy(), c.clusters(), worker);
  }

  WorkerHarness(HandoffConfig config) {
    this.config = config;
    this.lab = new LabClients(config);
    this.worker = HandoffWorker.start(config);
    this.service = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(config.temporal().target()).build());
    this.client = WorkflowClient.newInstance(service,
        WorkflowClientOptions.newBuilder().setNamespace(config.temporal().namespace()).build());
  }

  /** Runs a switchover (or its dry run) to the end; a refusal or rollback throws WorkflowFailedException. */
  FailoverProgress switchover(String cluster, String candidate, boolean dryRun) {
    String id = dryRun ? WorkflowIds.dryRun(cluster) : WorkflowIds.failover(cluster);
    PlannedFailoverWorkflow wf = Runbooks.planned(client, config, id);
    WorkflowExecution ex = WorkflowClient.start(wf::switchover,
        new SwitchoverRequest(cluster, candidate == null ? null : InstanceKey.parse(candidate), dryRun));
    runIds.add(ex.getWorkflowId() + "/" + ex.getRunId());
    return client.newUntypedWorkflowStub(id).getResult(FailoverProgress.class);
  }

  dev.handoff.recovery.WatchStatus watch(String cluster) {
    return Watches.running(client, cluster).status();
  }

  /** Waits until the watch has made {@code n} recoveries; returns its status then (or at the timeout). */
  dev.handoff.recovery.WatchStatus awaitRecoveries(String cluster, int n, long timeoutMillis)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
    dev.handoff.recovery.WatchStatus s = null;
    while (System.nanoTime() < deadline) {
      try {
        s = watch(cluster);
        if (s.recoveries() >= n) {
          return s;
        }
      } catch (RuntimeException notYet) {
        // the watch may not have been picked up yet
      }
      Thread.sleep(100);
    }
    return s;
  }

  /** The cluster's status once healthy, or after the timeout. */
  ClusterStatus awaitHealthy(String cluster, long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
    ClusterStatus s = status(cluster);
    while (!s.healthy() && System.nanoTime() < deadline) {
      Thread.sleep(100);
      s = status(cluster);
    }
    return s;
  }

  ClusterStatus status(String cluster) {
    return StatusReport.read(config).clusters().stream().filter(c -> c.name().equals(cluster)).findFirst()
        .orElseThrow();
  }

  /** The watch status and the cluster status, for assertion messages; never throws. */
  String describe(String cluster) {
    String w;
    try {
      w = String.valueOf(watch(cluster));
    } catch (RuntimeException e) {
      w = "(cannot read the watch: " + e.getMessage() + ")";
    }
    String s;
    try {
      s = String.valueOf(status(cluster));
    } catch (RuntimeException e) {
      s = "(cannot read the cluster status: " + e.getMessage() + ")";
    }
    return "\n  watch: " + w + "\n  cluster: " + s;
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
    awaitWatch(cluster, b, w -> "NoProblem".equals(w.lastAnalysis()), 30_000, "returned to NoProblem");
    assertEpochUnchanged(cluster, b);
  }

  /**
   * Fails, with both statuses, when since the baseline the watch judged the primary dead, started a
   * recovery or made one.
   */
  void assertNoFailoverSince(String cluster, Baseline b, dev.handoff.recovery.WatchStatus w) {
    List<String> fresh = w.events().stream().filter(e -> !b.events().contains(e)).toList();
    String why = "recovering".equals(w.mode()) ? "the watch is recovering"
        : w.recoveries() != b.recoveries() ? "the watch made " + (w.recoveries() - b.recoveries()) + " recoveries"
        : "DeadPrimary".equals(w.lastAnalysis()) ? "the watch's analysis is DeadPrimary"
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

  /** Waits (bounded) until the watch reports {@code code} as its last analysis. */
  dev.handoff.recovery.WatchStatus awaitAnalysis(String cluster, String code, long millis)
      throws InterruptedException {
    return awaitWatch(cluster, null, w -> code.equals(w.lastAnalysis()), millis, "reported " + code);
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
    ClusterStatus s = status(cluster);
    StringBuilder b = new StringBuilder();
    for (InstanceStatus i : s.instances()) {
      b.append(i.key()).append(' ').append(i.role()).append(" ro=").append(i.readOnly()).append(" src=")
          .append(i.source()).append(" io=").append(i.ioRunning()).append(" sql=").append(i.sqlRunning()).append('\n');
    }
    b.append("kv ").append(s.kvPrimary()).append(" epoch ").append(s.kvEpoch()).append('\n');
    s.routes().forEach(r -> b.append(r.haproxy()).append(" writers ").append(r.writers()).append('\n'));
    return b.toString();
  }

  /** Every history this harness produced, as JSON, for the no-secret check. */
  List<String> histories() {
    List<String> out = new ArrayList<>();
    for (String idRun : runIds) {
      String[] p = idRun.split("/");
      WorkflowExecutionHistory h = client.fetchHistory(p[0], p[1]);
      out.add(h.toJson(false));
    }
    return out;
  }

  List<String> secretValues() {
    return config.secretRefs().stream().map(SecretRef::resolve).toList();
  }

  @Override
  public void close() {
    service.shutdownNow();
    worker.close();
  }
}
