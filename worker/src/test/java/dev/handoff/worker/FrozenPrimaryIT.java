package dev.handoff.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.lab.LabExtension;
import dev.handoff.lab.WriteLoad;
import dev.handoff.process.LocalProcess;
import dev.handoff.recovery.WatchStatus;
import dev.handoff.status.ClusterStatus;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A frozen primary (SIGSTOP) is detected through its replicas, recovered, and fenced when it thaws. */
class FrozenPrimaryIT {
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

  private static String gtid(String instance) throws Exception {
    try (Connection c = harness.lab.admin(instance); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT @@gtid_binlog_pos")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static String gtidCurrent(String instance) throws Exception {
    try (Connection c = harness.lab.admin(instance); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT @@gtid_current_pos")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static boolean readOnly(String instance) {
    try (Connection c = harness.lab.admin(instance); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT @@read_only")) {
      rs.next();
      return rs.getInt(1) == 1;
    } catch (Exception e) {
      return false;
    }
  }

  @Test
  void aFrozenPrimaryIsRecoveredAndFencedWhenItThaws() throws Exception {
    String frozen = harness.status("c1").kvPrimary();
    LocalProcess process = LAB.info().mariadb("c1", frozen);
    try (WriteLoad load = WriteLoad.start(harness.lab.localWriter("c1"), harness.config.credentials().application(),
        3, 1)) {
      harness.awaitWrites("c1", load, 100, 10_000, "before the freeze");
      process.signal("STOP");
      try {
        WatchStatus w = harness.awaitRecoveries("c1", 1, 40_000);
        assertThat(w.recoveries()).as("watch: " + w).isEqualTo(1);
        assertThat(w.events()).anySatisfy(e -> assertThat(e).contains("DeadPrimary"));
        harness.awaitWrites("c1", load, 100, 10_000, "on the new primary");
      } finally {
        process.signal("CONT");
      }
      harness.await("c1", () -> readOnly(frozen), 15_000, frozen + " to be set read-only after it thawed");
      // A statement already in the frozen primary's socket buffer may commit as it thaws, before anything
      // can set it read-only: an errant transaction no client was told of. If there is one, the watch names it.
      String newPrimary = harness.status("c1").kvPrimary();
      dev.handoff.domain.GtidSet errant = dev.handoff.domain.GtidSet.parse(dev.handoff.domain.Flavor.MARIADB,
          gtidCurrent(frozen)).subtract(dev.handoff.domain.GtidSet.parse(dev.handoff.domain.Flavor.MARIADB,
          gtidCurrent(newPrimary)));
      System.out.println("thawed old primary's transactions the new primary lacks: "
          + (errant.isEmpty() ? "none" : errant));
      if (!errant.isEmpty()) {
        harness.await("c1", () -> harness.watch("c1").events().stream()
            .anyMatch(e -> e.contains("ErrantGtid") && e.contains(frozen)), 15_000,
            "the watch to report the thawed old primary's errant transactions");
      }
      String position = gtid(frozen);
      harness.awaitWrites("c1", load, 300, 10_000, "after the thaw");
      assertThat(gtid(frozen)).as("no client write reaches the thawed old primary").isEqualTo(position);
      load.close();
      ClusterStatus s = harness.status("c1");
      assertThat(s.kvPrimary()).isNotEqualTo(frozen);
      try (Connection c = harness.lab.admin(s.kvPrimary())) {
        assertThat(WriteLoad.missing(c, load.acknowledged())).as("acknowledged writes lost").isEmpty();
      }
      assertThat(s.instances()).filteredOn(i -> i.key().equals(frozen)).singleElement()
          .satisfies(i -> assertThat(i.readOnly()).isTrue());
    }
  }
}
