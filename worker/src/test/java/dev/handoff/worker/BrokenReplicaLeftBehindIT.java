package dev.handoff.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.lab.LabExtension;
import dev.handoff.lab.WriteLoad;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One replica has an errant transaction in the cluster's own GTID domain (0): with gtid_strict_mode its SQL
 * thread stops at the primary's next transaction, and it would stop again under any new primary. After
 * the primary is killed it must be reported as left behind, not as moved because both threads were seen
 * running for an instant.
 */
class BrokenReplicaLeftBehindIT {
  @RegisterExtension
  static final LabExtension LAB = LabExtension.clusters(1).replicas(2);
  static WorkerHarness harness;

  @BeforeAll
  static void startWorker() {
    harness = new WorkerHarness(LAB.info().config());
  }

  @AfterAll
  static void stopWorker() {
    if (harness != null) {
      harness.close();
    }
  }

  @Test
  void aReplicaThatStopsAgainUnderTheNewPrimaryIsLeftBehindNotMoved() throws Exception {
    String dead = harness.status("c1").kvPrimary();
    List<String> replicas = harness.replicas("c1");
    String broken = replicas.get(0);
    String clean = replicas.get(1);
    try (WriteLoad load = OneWriter.startLoad(harness, "c1")) {
      harness.sql(broken, "INSERT INTO " + WriteLoad.TABLE + " (id, at) VALUES (900000002, NOW(6))");
      harness.await("c1", () -> !sqlRunning(broken), 10_000,
          broken + "'s SQL thread to stop on the primary's next transaction");
      harness.awaitWrites("c1", load, 100, 10_000, "after the errant write");

      OneWriter.AfterKill after = OneWriter.killAndAwaitOneWriter(harness, LAB.info(), "c1", dead, load, 20_000,
          "broken replica");
      assertThat(after.writer()).isEqualTo(clean);
      assertThat(after.result().detail()).contains("left behind: " + broken + " (", "to do: ");
      assertThat(harness.status("c1").kvReplicas()).doesNotContain(broken, dead);
    }
  }

  private static boolean sqlRunning(String replica) {
    try {
      return harness.status("c1").instances().stream().filter(i -> i.key().equals(replica)).findFirst()
          .map(i -> Boolean.TRUE.equals(i.sqlRunning())).orElse(true);
    } catch (RuntimeException e) {
      return true;
    }
  }
}
