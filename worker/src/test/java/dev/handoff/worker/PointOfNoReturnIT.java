package dev.handoff.worker;

import dev.handoff.runbook.RunbookState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.handoff.domain.FailureType;
import dev.handoff.lab.Lab;
import dev.handoff.lab.LabExtension;
import dev.handoff.lab.WriteLoad;
import dev.handoff.runbook.RunbookProgress;
import dev.handoff.runbook.RunbookSteps;
import dev.handoff.runbook.WorkflowIds;
import dev.handoff.status.ClusterStatus;
import io.temporal.client.WorkflowFailedException;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a planned switchover does when the world changes between its pre-checks and its point of no return:
 * a KV store that stops answering, a lock that holds read_only off. Each rolls back with the old primary
 * writable, routed to, and still writable once whatever blocked it is gone. The runbooks run in a worker
 * process of the test's own (failpoints delay it at a chosen step), the only worker on the lab.
 */
class PointOfNoReturnIT {
  @RegisterExtension
  static final LabExtension LAB = LabExtension.clusters(1).replicas(2);
  static WorkerHarness harness;
  static Path work;

  @BeforeAll
  static void client() throws Exception {
    harness = WorkerHarness.clientOnly(ChaosIT.chaosConfig(LAB.info().config(), false));
    work = Files.createTempDirectory(Path.of("/tmp"), "hpnr-");
  }

  @AfterAll
  static void close() {
    if (harness != null) {
      harness.close();
    }
  }

  /** A runbook a failed test left running (waiting for an operator) would refuse the next test's start. */
  @AfterEach
  void terminateLeftovers() {
    Lab.startEtcd(LAB.info());
    try {
      harness.client.newUntypedWorkflowStub(WorkflowIds.failover("c1")).terminate("left running by a failed test");
    } catch (RuntimeException noneRunning) {
      // nothing started, or it ended
    }
  }

  @Test
  void etcdStoppedAfterThePrechecksRollsBackBeforeReadOnly() throws Exception {
    etcdStopsWhileTheWorkerIsAt("MoveReplica:after", 100_000_000L);
  }

  @Test
  void etcdStoppedDuringTheCatchUpRollsBackBeforePromotion() throws Exception {
    etcdStopsWhileTheWorkerIsAt("WaitForGtid:after", 200_000_000L);
  }

  @Test
  void etcdDownBeforeASwitchoverIsARefusalThatNamesTheKvStore() throws Exception {
    String before = harness.topologyFingerprint("c1");
    String candidate = harness.replicas("c1").get(0);
    Throwable failure;
    try (WorkerProcess w = WorkerProcess.start(harness.config, work, "refused", null)) {
      w.awaitReady(30_000);
      Lab.stopEtcd(LAB.info());
      try {
        failure = catchThrowable(() -> harness.switchover("c1", candidate, false));
      } finally {
        Lab.startEtcd(LAB.info());
      }
    }
    ApplicationFailure cause = runbookFailure(failure);
    System.out.println("refusal: " + cause.getType() + ": " + cause.getOriginalMessage());
    assertThat(RunbookSteps.finalState(cause)).isEqualTo(RunbookState.REFUSED);
    assertThat(cause.getType()).as(cause.getOriginalMessage()).isEqualTo(FailureType.KV_UNAVAILABLE.wireName());
    assertThat(cause.getOriginalMessage()).contains("etcd", endpoint()).contains("nothing was changed")
        .doesNotContain("TIMEOUT_TYPE");
    assertThat(harness.topologyFingerprint("c1")).isEqualTo(before);
  }

  @Test
  void aLockThatHoldsReadOnlyOffRollsBackAndTheQueuedStatementNeverLands() throws Exception {
    String primary = harness.status("c1").kvPrimary();
    String candidate = harness.replicas("c1").get(0);
    harness.sql(primary, "CREATE TABLE IF NOT EXISTS app.lock_probe (id INT PRIMARY KEY)");
    Throwable failure;
    try (WorkerProcess w = WorkerProcess.start(harness.config, work, "blocked", null)) {
      w.awaitReady(30_000);
      // LOCK TABLES ... WRITE held by another session: SET GLOBAL read_only = 1 waits for it (seen on
      // MariaDB 10.11, as it does for a long-running UPDATE; FTWRL and open transactions do not hold it off).
      try (Connection holder = harness.lab.admin(primary); Statement st = holder.createStatement()) {
        st.execute("LOCK TABLES app.lock_probe WRITE");
        failure = catchThrowable(() -> harness.switchover("c1", candidate, false));
        assertThat(harness.readOnly(primary)).as("%s writable right after the rollback, the lock still held", primary)
            .isFalse();
      }
      // The lock is gone: a SET GLOBAL read_only = 1 still queued behind it would land now.
      long until = System.nanoTime() + 5_000_000_000L;
      while (System.nanoTime() < until) {
        assertThat(harness.readOnly(primary))
            .as(() -> primary + " still writable after the lock was released\n" + harness.diagnostics("c1")).isFalse();
        Thread.sleep(200);
      }
    }
    ApplicationFailure cause = runbookFailure(failure);
    System.out.println("rollback: " + cause.getType() + ": " + cause.getOriginalMessage());
    assertThat(RunbookSteps.finalState(cause)).isEqualTo(RunbookState.ROLLED_BACK);
    assertThat(cause.getType()).as(cause.getOriginalMessage()).isEqualTo(FailureType.READ_ONLY_BLOCKED.wireName());
    assertThat(cause.getOriginalMessage()).contains(primary, "read_only", "lock");
    assertOldPrimaryServes(primary);
  }

  /**
   * Stops etcd while the worker is held at {@code failpoint} (after the pre-checks, before the promotion):
   * the runbook must roll back, naming the KV store, with the old primary writable and every acknowledged
   * write on every instance.
   */
  private void etcdStopsWhileTheWorkerIsAt(String failpoint, long firstWriteId) throws Exception {
    String primary = harness.status("c1").kvPrimary();
    String candidate = harness.replicas("c1").get(0);
    Throwable failure;
    try (WriteLoad load = WriteLoad.start(harness.lab.localWriter("c1"), harness.config.credentials().application(),
        3, firstWriteId);
         WorkerProcess w = WorkerProcess.start(harness.config, work, failpoint.replace(':', '-'), failpoint,
             "delay:2000")) {
      w.awaitReady(30_000);
      harness.awaitWrites("c1", load, 30, 10_000, "before the switchover");
      CompletableFuture<RunbookProgress> run =
          CompletableFuture.supplyAsync(() -> harness.switchover("c1", candidate, false));
      try {
        assertThat(w.awaitLog("failpoint " + failpoint, 30_000)).as("the worker reached " + failpoint).isTrue();
        Lab.stopEtcd(LAB.info());
        failure = catchThrowable(() -> run.get(90, TimeUnit.SECONDS));
      } finally {
        Lab.startEtcd(LAB.info());
      }
      ApplicationFailure cause = runbookFailure(failure);
      System.out.println(failpoint + ": " + cause.getType() + ": " + cause.getOriginalMessage());
      assertThat(RunbookSteps.finalState(cause)).as(cause.getOriginalMessage()).isEqualTo(RunbookState.ROLLED_BACK);
      assertThat(cause.getType()).as(cause.getOriginalMessage()).isEqualTo(FailureType.KV_UNAVAILABLE.wireName());
      assertThat(cause.getOriginalMessage()).contains("etcd", endpoint());
      assertThat(harness.readOnly(primary)).as(primary + " writable after the rollback").isFalse();
      assertOldPrimaryServes(primary);
      harness.awaitWrites("c1", load, 30, 10_000, "after the rollback");
      harness.assertNoAcknowledgedWriteLost("c1", primary, load);
    }
  }

  /** The old primary is the KV primary and the only writer every HAProxy routes to; the cluster is healthy. */
  private static void assertOldPrimaryServes(String primary) {
    ClusterStatus s = harness.awaitHealthy("c1", 20_000);
    assertThat(s.kvPrimary()).isEqualTo(primary);
    assertThat(s.routes()).allSatisfy(r -> assertThat(r.writers()).as(r.haproxy()).containsExactly(primary));
  }

  private static String endpoint() {
    return harness.config.kv().endpoints().get(0);
  }

  /** The runbook's own failure (its type, message and final state) out of what the client threw. */
  private static ApplicationFailure runbookFailure(Throwable thrown) {
    Throwable t = thrown instanceof ExecutionException ? thrown.getCause() : thrown;
    assertThat(t).as("the switchover must fail").isInstanceOf(WorkflowFailedException.class);
    assertThat(t.getCause()).isInstanceOf(ApplicationFailure.class);
    return (ApplicationFailure) t.getCause();
  }
}
