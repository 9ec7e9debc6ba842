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
import java.util.ArrayList;
import java.util.List;

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
