package dev.handoff.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.lab.LabExtension;
import dev.handoff.lab.WriteLoad;
import dev.handoff.runbook.RunbookProgress;
import dev.handoff.status.ClusterStatus;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One replica has a transaction in another GTID domain that nobody else has (written on it with the
 * binlog on), then the primary is killed. The clean replica is promoted and writes resume through HAProxy
 * without waiting for the errant one, which the recovery reports as left behind (and does not publish as
 * a replica).
 */
class ErrantReplicaLeftBehindIT {
  static final long WRITES_RESUME_WITHIN_MILLIS = 20_000;
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
  void theCleanReplicaIsPromotedAndTheErrantOneIsLeftBehindWithoutHoldingWritesDown() throws Exception {
    String dead = harness.status("c1").kvPrimary();
    List<String> replicas = harness.replicas("c1");
    String errant = replicas.get(0);
    String clean = replicas.get(1);
    try (WriteLoad load = OneWriter.startLoad(harness, "c1")) {
      harness.sql(errant, "SET SESSION gtid_domain_id = 9", "SET SESSION sql_log_bin = 1",
          "INSERT INTO " + WriteLoad.TABLE + " (id, at) VALUES (900000001, NOW(6))");
      assertThat(harness.query(errant, "SELECT @@gtid_current_pos")).contains("9-");
      harness.awaitWrites("c1", load, 100, 10_000, "after the errant write");

      OneWriter.AfterKill after = OneWriter.killAndAwaitOneWriter(harness, LAB.info(), "c1", dead, load,
          WRITES_RESUME_WITHIN_MILLIS, "errant replica");
      String writer = after.writer();
      assertThat(writer).as("the clean replica is promoted").isEqualTo(clean);
      RunbookProgress result = after.result();
      assertThat(result.detail()).contains("left behind: " + errant + " (", "9-", "to do: ");
      ClusterStatus s = harness.status("c1");
      assertThat(s.kvReplicas()).as("the errant replica is not published as a replica").doesNotContain(errant, dead);
      // Left for the operator: not moved, still read-only, its errant transaction not spread to the primary.
      assertThat(harness.readOnly(errant)).isTrue();
      assertThat(harness.query(writer, "SELECT @@gtid_current_pos")).doesNotContain("9-");
    }
  }
}
