package dev.handoff.worker;

import dev.handoff.cluster.ClusterActivitiesImpl;
import dev.handoff.config.ConfigException;
import dev.handoff.config.HandoffConfig;
import dev.handoff.config.SecretRef;
import dev.handoff.haproxy.HaproxyActivitiesImpl;
import dev.handoff.heartbeat.HeartbeatActivitiesImpl;
import dev.handoff.kv.TopologyActivitiesImpl;
import dev.handoff.kv.TopologyStore;
import dev.handoff.kv.TopologyStores;
import dev.handoff.mysql.MysqlActivitiesImpl;
import dev.handoff.support.Lookup;
import dev.handoff.switchover.PlannedFailoverWorkflowImpl;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A worker process: serves every Handoff workflow and activity on the configured task queue. */
public final class HandoffWorker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HandoffWorker.class);
  private final WorkflowServiceStubs service;
  private final WorkerFactory factory;
  private final TopologyStore store;

  private HandoffWorker(WorkflowServiceStubs service, WorkerFactory factory, TopologyStore store) {
    this.service = service;
    this.factory = factory;
    this.store = store;
  }

  /** Checks every secret reference resolves, so a bad config fails at start and not mid-failover. */
  public static void checkSecrets(HandoffConfig config) {
    for (SecretRef ref : config.credentials().all()) {
      ref.resolve();
    }
    if (config.kv().token() != null) {
      config.kv().token().resolve();
    }
  }

  public static HandoffWorker start(HandoffConfig config) {
    checkSecrets(config);
    WorkflowServiceStubs service = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(config.temporal().target()).build());
    WorkflowClient client = WorkflowClient.newInstance(service,
        WorkflowClientOptions.newBuilder().setNamespace(config.temporal().namespace()).build());
    WorkerFactory factory = WorkerFactory.newInstance(client);
    Worker worker = factory.newWorker(config.temporal().taskQueue());
    worker.registerWorkflowImplementationTypes(PlannedFailoverWorkflowImpl.class);
    Lookup lookup = new Lookup(config);
    TopologyStore store;
    try {
      store = TopologyStores.open(config.kv());
    } catch (ConfigException e) {
      service.shutdownNow();
      throw e;
    }
    worker.registerActivitiesImplementations(
        new ClusterActivitiesImpl(lookup),
        new MysqlActivitiesImpl(lookup),
        new TopologyActivitiesImpl(lookup, store),
        new HaproxyActivitiesImpl(lookup),
        new HeartbeatActivitiesImpl(lookup));
    factory.start();
    log.info("worker started: temporal={} namespace={} taskQueue={} clusters={}", config.temporal().target(),
        config.temporal().namespace(), config.temporal().taskQueue(),
        config.clusters().stream().map(c -> c.name()).toList());
    return new HandoffWorker(service, factory, store);
  }

  /** Stops polling, lets running activities finish for a few seconds, then closes the clients. */
  @Override
  public void close() {
    factory.shutdown();
    factory.awaitTermination(10, TimeUnit.SECONDS);
    factory.shutdownNow();
    service.shutdownNow();
    store.close();
  }

  /** Stops at once, as a crash would, minus the process exit: for in-process tests. */
  public void kill() {
    factory.shutdownNow();
    service.shutdownNow();
    store.close();
  }
}
