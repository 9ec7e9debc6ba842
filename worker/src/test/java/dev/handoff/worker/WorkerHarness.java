package dev.handoff.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.runbook.FailoverProgress;
import dev.handoff.config.HandoffConfig;
import dev.handoff.config.SecretRef;
import dev.handoff.domain.InstanceKey;
import dev.handoff.lab.LabClients;
import dev.handoff.runbook.WorkflowIds;
import dev.handoff.lab.Waits;
import dev.handoff.lab.WriteLoad;
import dev.handoff.recovery.WatchStatus;
import dev.handoff.status.ClusterStatus;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

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
    this.config = config;
    this.lab = new LabClients(config);
    this.worker = HandoffWorker.start(config);
    this.service = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(config.temporal().target()).build());
    this.client = WorkflowClient.newInstance(service,
        WorkflowClientOptions.newBuilder().setNamespace(config.temporal().namespace()).build());
  }

  /**
   * Runs a switchover (or its dry run) to the end; a refusal or rollback throws WorkflowFailedException,
   * one still running after {@link #RESULT_TIMEOUT} an AssertionError with the {@link #diagnostics}.
   */
  FailoverProgress switchover(String cluster, String candidate, boolean dryRun) {
    String id = dryRun ? WorkflowIds.dryRun(cluster) : WorkflowIds.failover(cluster);
    PlannedFailoverWorkflow wf = Runbooks.planned(client, config, id);
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
