package dev.handoff.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.domain.Flavor;
import dev.handoff.domain.GtidSet;
import dev.handoff.lab.LabExtension;
import dev.handoff.lab.WriteLoad;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The last acknowledged writes exist only in one replica's relay log: its SQL thread is stopped (it
 * received and acknowledged them, never applied them) and the other replica's IO thread is stopped (it
 * never received them). The primary is then killed. The recovery must start that replica's SQL thread,
 * let it apply its relay log, promote it and route every writer frontend to it, losing no acknowledged write.
 */
class RelayLogOnlyWritesIT {
  /** From the kill until writes flow again through the local HAProxy: detection, catch-up, promotion, routes. */
  static final long WRITES_RESUME_WITHIN_MILLIS = 30_000;
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
  void theReplicaHoldingTheLastWritesInItsRelayLogAppliesThemAndBecomesThePrimary() throws Exception {
    String dead = harness.status("c1").kvPrimary();
    List<String> replicas = harness.replicas("c1");
    String holder = replicas.get(0);
    String starved = replicas.get(1);
    try (WriteLoad load = OneWriter.startLoad(harness, "c1")) {
      harness.sql(starved, "STOP SLAVE IO_THREAD");
      harness.sql(holder, "STOP SLAVE SQL_THREAD");
      harness.awaitWrites("c1", load, 1000, 60_000, "while only " + holder + " receives them");
      // Writes go on: the holder has received at least what the primary had a moment ago, and applied none of it.
      GtidSet primaryPos = gtids(harness.query(dead, "SELECT @@gtid_binlog_pos"));
      harness.await("c1", () -> gtids(received(holder)).contains(primaryPos), 5_000,
          holder + " to have received " + primaryPos);
      assertThat(gtids(harness.query(holder, "SELECT @@gtid_current_pos")).contains(primaryPos))
          .as("the last writes are only in " + holder + "'s relay log").isFalse();
      assertThat(gtids(harness.query(starved, "SELECT @@gtid_current_pos")).contains(primaryPos))
          .as(starved + " never received them").isFalse();

      OneWriter.AfterKill after = OneWriter.killAndAwaitOneWriter(harness, LAB.info(), "c1", dead, load,
          WRITES_RESUME_WITHIN_MILLIS, "relay-log-only writes");
      String writer = after.writer();
      assertThat(writer).as("the replica holding the last writes is promoted").isEqualTo(holder);
      // The replica that never received them is moved under the new primary and has them too.
      harness.await("c1", () -> holder.equals(harness.status("c1").instances().stream()
          .filter(i -> i.key().equals(starved)).findFirst().orElseThrow().source()), 20_000,
          starved + " to replicate from " + holder);
      try (Connection c = harness.lab.admin(starved); Statement st = c.createStatement();
           ResultSet rs = st.executeQuery("SELECT MASTER_GTID_WAIT('" + harness.query(writer, "SELECT @@gtid_binlog_pos")
               + "', 10)")) {
        rs.next();
        assertThat(rs.getInt(1)).as(starved + " caught up with " + writer).isZero();
        assertThat(WriteLoad.missing(c, load.acknowledged())).as("acknowledged writes missing on " + starved).isEmpty();
      }
    }
  }

  private static GtidSet gtids(String mariadbPosition) {
    return GtidSet.parse(Flavor.MARIADB, mariadbPosition);
  }

  private static String received(String replica) {
    try (Connection c = harness.lab.admin(replica); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SHOW SLAVE STATUS")) {
      return rs.next() ? rs.getString("Gtid_IO_Pos").replaceAll("\\s+", "") : "";
    } catch (Exception e) {
      return "";
    }
  }
}
