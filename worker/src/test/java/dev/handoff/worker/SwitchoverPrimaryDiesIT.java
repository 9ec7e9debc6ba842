package dev.handoff.worker;

import dev.handoff.runbook.RunbookState;
import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.client.Runbooks;
import dev.handoff.config.HandoffConfig;
import dev.handoff.domain.InstanceKey;
import dev.handoff.lab.LabClients;
import dev.handoff.lab.LabExtension;
import dev.handoff.lab.Waits;
import dev.handoff.lab.WriteLoad;
import dev.handoff.recovery.WatchStatus;
import dev.handoff.runbook.RunbookProgress;
import dev.handoff.runbook.StepRecord;
import dev.handoff.runbook.WorkflowIds;
import dev.handoff.status.ClusterStatus;
import dev.handoff.switchover.SwitchoverWorkflow;
import dev.handoff.switchover.SwitchoverRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The old primary is killed (kill -9) in the middle of a planned switchover, under a client writing through the
 * local HAProxy every 3 ms, with the cluster's watch on. The kill is deterministic: the worker (its own process)
 * is held for a few seconds at a failpoint, and the primary dies while it waits. The runbook must end with one
 * writable instance that every writer frontend reaches and no acknowledged write lost, never in a rollback
 * onto the dead primary, and the watch must not fight it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SwitchoverPrimaryDiesIT {
  static final String CLUSTER = "c1";
  /** How long the worker is held at the failpoint: the primary is killed meanwhile. */
  static final String HOLD = "delay:3000";
  static final String BEFORE_READ_ONLY = "SetReadOnly:before";
  static final String BEFORE_REJOIN = "RejoinAsReplica:before";
  /** A safety bound on the whole runbook after the kill, not a speed target. */
  static final Duration RESULT_BOUND = Duration.ofSeconds(45);

  // Two trials, each losing one instance: four instances leave two for the second.
  @RegisterExtension
  static final LabExtension LAB = LabExtension.clusters(1).replicas(3);
  static HandoffConfig config;
  static LabClients lab;
  static WorkflowServiceStubs service;
  static WorkflowClient client;
  static Path work;
  /**
   * One worker for both trials, held once at each failpoint (a delay fires once per failpoint): the first
   * trial hands over before SetReadOnly can run again, so only the second reaches RejoinAsReplica.
   */
  static WorkerProcess worker;

  @BeforeAll
  static void connect() throws Exception {
    config = ChaosIT.chaosConfig(LAB.info().config(), true);
    lab = new LabClients(config);
    service = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(config.temporal().target()).build());
    client = ChaosIT.client(service, config);
    work = Files.createTempDirectory(Path.of("/tmp"), "hpd-");
    worker = WorkerProcess.start(config, work, "w", BEFORE_READ_ONLY + "," + BEFORE_REJOIN, HOLD);
    worker.awaitReady(30_000);
  }

  @AfterAll
  static void disconnect() throws InterruptedException {
    if (worker != null) {
      worker.close();
    }
    if (service != null) {
      service.shutdownNow();
    }
  }

  @Test
  @Order(1)
  void primaryKilledBeforeItIsSetReadOnly_theSwitchoverBecomesARecovery() throws Exception {
    Trial t = trial(BEFORE_READ_ONLY, 1);

    assertThat(t.result.state()).as(t.result.detail()).isEqualTo(RunbookState.COMPLETED);
    assertThat(t.result.detail()).contains("Recovered in place of a planned switchover", "died");
    assertThat(t.result.steps()).extracting(StepRecord::name)
        .contains("handover", "confirm-dead", "fence-old-primary", "promote")
        .doesNotContain("rollback");
    ClusterStatus s = Waits.status(config, CLUSTER);
    assertThat(s.kvReplicas()).doesNotContain(t.dead);
    // The watch saw the dead primary while the switchover held the lock: no attempt, no fight; the handover's
    // recovery started its cooldown.
    WatchStatus w = t.watch;
    assertThat(w.events()).as(w.events().toString()).noneMatch(e -> e.contains("nothing was promoted"));
    assertThat(w.blockedUntilMillis()).as(w.events().toString()).isGreaterThan(System.currentTimeMillis());
  }

  @Test
  @Order(2)
  void primaryKilledAfterThePromotion_itIsLeftBehindAndTheRunbookCompletes() throws Exception {
    Trial t = trial(BEFORE_REJOIN, 2);

    assertThat(t.result.state()).as(t.result.detail()).isEqualTo(RunbookState.COMPLETED);
    assertThat(t.result.newPrimary()).isEqualTo(t.target);
    assertThat(t.result.detail()).contains("left behind: " + t.dead, "unreachable", "to do:");
    assertThat(t.result.steps()).extracting(StepRecord::name).doesNotContain("handover", "rollback");
    assertThat(Waits.status(config, CLUSTER).kvReplicas()).doesNotContain(t.dead);
  }

  /** What one trial found. */
  record Trial(String dead, String target, RunbookProgress result, WatchStatus watch) {}

  /**
   * Switches over to a live replica with the worker held at {@code failpoint}, kills the primary while it is
   * held, and checks the invariants once the runbook ended.
   */
  static Trial trial(String failpoint, long seed) throws Exception {
    ClusterStatus before = Waits.status(config, CLUSTER);
    String dead = before.kvPrimary();
    String target = before.kvReplicas().get(0);
    WorkerProcess w = worker;
    try (WriteLoad load = WriteLoad.start(lab.localWriter(CLUSTER), config.credentials().application(), 3,
        seed * 10_000_000L)) {
      assertThat(load.awaitAcks(100, 10_000)).as("writes flow before the switchover").isTrue();
      SwitchoverWorkflow wf = Runbooks.switchover(client, config, WorkflowIds.failover(CLUSTER));
      WorkflowClient.start(wf::switchover, new SwitchoverRequest(CLUSTER, InstanceKey.parse(target), false));
      assertThat(w.awaitLog("failpoint " + failpoint, 20_000)).as(() -> "the switchover reached " + failpoint
          + "\n" + w.logText() + "\n" + Waits.diagnostics(client, config, CLUSTER)).isTrue();
      long killedAt = System.nanoTime();
      LAB.info().mariadb(CLUSTER, dead).signal("KILL");
      RunbookProgress result = Waits.result(client, config, CLUSTER, WorkflowIds.failover(CLUSTER), RESULT_BOUND);
      double endedAfter = (System.nanoTime() - killedAt) / 1e9;
      System.out.printf("%s: %s killed; runbook %s %.1f s after the kill: %s%n", failpoint, dead, result.state(),
          endedAfter, result.detail());
      result.steps().forEach(s -> System.out.printf("  [%s] %s (%d ms): %s%n", s.outcome(), s.name(), s.millis(),
          s.detail()));
      assertThat(load.awaitAcks(100, 10_000)).as(() -> "writes flow through the local HAProxy after the runbook\n"
          + Waits.diagnostics(client, config, CLUSTER)).isTrue();
      load.close();
      System.out.printf("%s: longest gap between acknowledged writes %.0f ms, %d acknowledged, %d failed attempts%n",
          failpoint, load.longestGapMillis(killedAt), load.acknowledged().size(), load.failures());
      String writer = OneWriter.assertEveryWriterFrontendReachesOneWritable(config, lab, client, CLUSTER);
      assertThat(writer).isEqualTo(result.newPrimary()).isNotEqualTo(dead);
      try (Connection c = lab.admin(writer)) {
        assertThat(WriteLoad.missing(c, load.acknowledged())).as("acknowledged writes lost").isEmpty();
      }
      ClusterStatus s = Waits.healthy(config, CLUSTER, Duration.ofSeconds(15));
      assertThat(s.problems()).as(() -> Waits.diagnostics(client, config, CLUSTER)).isEmpty();
      assertThat(HistorySecretsCheck.workerLogLeaks(config, w.log)).isEmpty();
      // Read while the worker (which runs the watch) is up.
      return new Trial(dead, target, result, Waits.watch(client, CLUSTER));
    }
  }

}
