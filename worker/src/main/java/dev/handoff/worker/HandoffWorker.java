package dev.handoff.worker;

import dev.handoff.client.Watches;
import dev.handoff.cluster.ClusterActivitiesImpl;
import dev.handoff.config.ConfigException;
import dev.handoff.config.DetectionMode;
import dev.handoff.config.HandoffConfig;
import dev.handoff.config.SecretRef;
import dev.handoff.haproxy.HaproxyActivitiesImpl;
import dev.handoff.heartbeat.HeartbeatActivitiesImpl;
import dev.handoff.kv.TopologyActivitiesImpl;
import dev.handoff.kv.TopologyStore;
import dev.handoff.kv.TopologyStores;
import dev.handoff.mysql.MysqlActivitiesImpl;
import dev.handoff.support.Lookup;
import dev.handoff.detection.ClusterProber;
import dev.handoff.detection.DetectionActivitiesImpl;
import dev.handoff.detection.LocalProbeActivitiesImpl;
import dev.handoff.runbook.WorkflowIds;
import dev.handoff.detection.TemporalRunbookLock;
import dev.handoff.detection.WatchSettings;
import dev.handoff.detection.WorkerDetector;
import dev.handoff.mysql.SnapshotReader;
import dev.handoff.recovery.ClusterWatchWorkflowImpl;
import dev.handoff.recovery.RecoveryWorkflowImpl;
import dev.handoff.support.Secrets;
import dev.handoff.switchover.SwitchoverWorkflowImpl;
import dev.handoff.worker.alerts.AlertReceiver;
import dev.handoff.worker.alerts.TemporalProbeRequester;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.worker.WorkerOptions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A worker process: serves every Handoff workflow and activity on the configured task queue. */
public final class HandoffWorker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HandoffWorker.class);
  /** How long a closed worker's pollers are given to go before their logger speaks again. */
  private static final long POLLERS_GONE_SECONDS = 5;
  /** Workers closing right now, in this JVM. */
  private static int closing;
  private final WorkflowServiceStubs service;
  private final WorkerFactory factory;
  private final TopologyStore store;

  private final AlertReceiver alerts;
  private final StepInterceptor steps;
  /** This worker's detection of every configured cluster; null when it watches none. */
  private final WorkerDetector detector;
  private final ExecutorService probePool;
  private final ClusterProber prober;

  private HandoffWorker(WorkflowServiceStubs service, WorkerFactory factory, TopologyStore store,
      AlertReceiver alerts, StepInterceptor steps, WorkerDetector detector, ExecutorService probePool,
      ClusterProber prober) {
    this.detector = detector;
    this.prober = prober;
    this.probePool = probePool;
    this.service = service;
    this.factory = factory;
    this.steps = steps;
    this.store = store;
    this.alerts = alerts;
  }

  /** The alert endpoint's port, or -1 when this worker serves none. */
  public int alertsPort() {
    return alerts == null ? -1 : alerts.port();
  }

  /** Checks every secret reference resolves, so a bad config fails at start and not mid-failover. */
  public static void checkSecrets(HandoffConfig config) {
    for (SecretRef ref : config.secretRefs()) {
      Secrets.resolve(ref);
    }
  }

  public static HandoffWorker start(HandoffConfig config) {
    checkSecrets(config);
    // A wrong credential is named now (an ERROR per refused login), not later as "no replica is reachable";
    // the worker starts anyway, since instances may be down and the watch is there for that.
    InstanceLogins.check(config);
    WorkflowServiceStubs service = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(config.temporal().target()).build());
    WorkflowClient client = WorkflowClient.newInstance(service,
        WorkflowClientOptions.newBuilder().setNamespace(config.temporal().namespace()).build());
    StepInterceptor steps = new StepInterceptor();
    WorkerFactory factory = WorkerFactory.newInstance(client, WorkerFactoryOptions.newBuilder()
        .setWorkerInterceptors(steps).build());
    // Many clusters can fail at once (a zone outage): enough pollers that their runbooks do not queue.
    Worker worker = factory.newWorker(config.temporal().taskQueue(), WorkerOptions.newBuilder()
        .setMaxConcurrentWorkflowTaskPollers(8)
        .setMaxConcurrentActivityTaskPollers(16)
        // If this worker dies, its cached workflows move to another worker after this long.
        .setStickyQueueScheduleToStartTimeout(java.time.Duration.ofSeconds(1))
        .build());
    worker.registerWorkflowImplementationTypes(SwitchoverWorkflowImpl.class, RecoveryWorkflowImpl.class,
        ClusterWatchWorkflowImpl.class);
    Lookup lookup = new Lookup(config);
    ExecutorService probePool = ClusterProber.probePool();
    TopologyStore store;
    try {
      store = TopologyStores.open(config.kv());
    } catch (ConfigException e) {
      service.shutdownNow();
      throw e;
    }
    ClusterProber prober = new ClusterProber(new SnapshotReader(lookup), store, probePool);
    worker.registerActivitiesImplementations(
        new ClusterActivitiesImpl(lookup),
        new MysqlActivitiesImpl(lookup),
        new TopologyActivitiesImpl(lookup, store),
        new HaproxyActivitiesImpl(lookup),
        new HeartbeatActivitiesImpl(lookup),
        new DetectionActivitiesImpl(lookup, store, new TemporalRunbookLock(client), prober, probePool));
    WorkerDetector detector = null;
    if (config.worker().watch() && config.worker().detectionMode() == DetectionMode.WORKERS) {
      String identity = client.getOptions().getIdentity();
      detector = new WorkerDetector(identity, prober, WatchSettings.defaults(),
          (cluster, report) -> Watches.report(client, config, cluster, report));
      // This worker's own queue: an alert's request that every worker probe now reaches this one here.
      factory.newWorker(WorkflowIds.workerQueue(config.temporal().taskQueue(), identity))
          .registerActivitiesImplementations(new LocalProbeActivitiesImpl(detector));
    }
    factory.start();
    if (config.worker().watch()) {
      for (var c : config.clusters()) {
        if (Watches.start(client, config, c.name())) {
          log.info("cluster={} watch started: {}", c.name(), WorkflowIds.watch(c.name()));
        }
      }
    }
    if (detector != null) {
      detector.start(config.clusters());
    }
    log.info("worker started: temporal={} namespace={} taskQueue={} clusters={}", config.temporal().target(),
        config.temporal().namespace(), config.temporal().taskQueue(),
        config.clusters().stream().map(c -> c.name()).toList());
    AlertReceiver receiver = null;
    if (config.worker().alertsListen() != null) {
      try {
        receiver = AlertReceiver.start(config.worker().alertsListen(), Secrets.resolve(config.worker().alertsToken()),
            TemporalProbeRequester.knownClusters(config), new TemporalProbeRequester(client, config, detector));
        log.info("alert endpoint: http://{}/alerts", config.worker().alertsListen());
      } catch (RuntimeException e) {
        // Several workers on one host: one serves the endpoint, the others go on without it.
        log.warn("alert endpoint {} not started: {}", config.worker().alertsListen(), e.getMessage());
      }
    }
    return new HandoffWorker(service, factory, store, receiver, steps, detector, probePool, prober);
  }

  /** Stops polling, lets running activities finish for a few seconds, then closes the clients. */
  @Override
  public void close() {
    if (alerts != null) {
      alerts.close();
    }
    stopDetecting();
    factory.shutdown();
    // Running steps get up to 3 s to finish; the watch's detector (a long read) and idle pollers are not
    // waited for (a long poll does not end on an interrupt: the channel's close ends it).
    try {
      int left = steps.awaitNone(3000);
      if (left > 0) {
        log.warn("stopping with {} step(s) still running: Temporal runs them again on another worker", left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    factory.shutdownNow();
    closeConnection();
    store.close();
  }

  /**
   * Closes the connection to Temporal under idle long polls. The SDK stops its pollers only once a
   * ShutdownWorker call to the server returns, which can take seconds; closing the channel first ends that
   * call and the polls, and each poller would log the closed channel as a failure, with a stack trace, on
   * every stop. Only the pollers' logger is quieted, for the few seconds the pollers take to go (a JVM that
   * runs other workers, as the in-process tests do, has theirs quieted for those seconds too).
   */
  private void closeConnection() {
    quietPollers(true);
    try {
      service.shutdownNow();
    } finally {
      CompletableFuture.delayedExecutor(POLLERS_GONE_SECONDS, TimeUnit.SECONDS).execute(() -> quietPollers(false));
    }
  }

  /** Raises the SDK pollers' log level to ERROR while any worker closes; back to the configured level after. */
  private static synchronized void quietPollers(boolean quiet) {
    closing += quiet ? 1 : -1;
    if (LoggerFactory.getLogger("io.temporal.internal.worker.BasePoller") instanceof ch.qos.logback.classic.Logger l) {
      l.setLevel(closing > 0 ? ch.qos.logback.classic.Level.ERROR : null);
    }
  }

  private void stopDetecting() {
    if (detector != null) {
      detector.close();
    }
    probePool.shutdownNow();
    prober.close();
  }

  /** Stops at once, as a crash would, minus the process exit: for in-process tests. */
  public void kill() {
    if (alerts != null) {
      alerts.close();
    }
    stopDetecting();
    factory.shutdownNow();
    service.shutdownNow();
    store.close();
  }
}
