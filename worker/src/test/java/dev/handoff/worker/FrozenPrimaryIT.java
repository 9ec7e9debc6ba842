package dev.handoff.worker;

import dev.handoff.runbook.RunbookState;
import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.config.HaproxySettings;
import dev.handoff.domain.Flavor;
import dev.handoff.domain.GtidSet;
import dev.handoff.haproxy.HaproxyRuntime;
import dev.handoff.lab.LabExtension;
import dev.handoff.lab.RunbookTimes;
import dev.handoff.lab.Waits;
import dev.handoff.lab.WriteLoad;
import dev.handoff.process.LocalProcess;
import dev.handoff.recovery.WatchStatus;
import dev.handoff.runbook.RunbookProgress;
import dev.handoff.runbook.WorkflowIds;
import dev.handoff.status.ClusterStatus;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
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

  /** The current sessions to {@code instance}'s server in the cluster's writer backend, per remote HAProxy. */
  private static Map<String, Integer> writerSessions(String instance) throws Exception {
    Map<String, Integer> out = new TreeMap<>();
    String backend = harness.lab.cluster("c1").writerBackend();
    for (HaproxySettings h : harness.config.remoteHaproxies()) {
      HaproxyRuntime rt = new HaproxyRuntime(Path.of(h.adminSocket()), Path.of(h.masterSocket()));
      rt.servers(backend).stream().filter(s -> s.server().equals(HaproxyRuntime.serverName(instance)))
          .forEach(s -> out.put(h.name(), s.sessions()));
    }
    return out;
  }

  @Test
  void aFrozenPrimaryIsRecoveredAndFencedWhenItThaws() throws Exception {
    String frozen = harness.status("c1").kvPrimary();
    String replica = harness.lab.instances("c1").stream().filter(k -> !k.equals(frozen)).findFirst().orElseThrow();
    int netTimeout = harness.lab.replicaNetTimeoutSeconds(replica);
    LocalProcess process = LAB.info().mariadb("c1", frozen);
    // A client connection through the local HAProxy to the primary, idle when the primary freezes: the fence
    // must cut it (HAProxy's own timeouts are an hour), or a statement sent on it could commit at the thaw.
    Connection held = harness.lab.app(harness.lab.localWriter("c1"));
    try (Statement st = held.createStatement()) {
      st.execute("SELECT 1");
    }
    assertThat(writerSessions(frozen).values()).as("sessions to " + frozen + " before the freeze")
        .anySatisfy(n -> assertThat(n).isPositive());
    try (WriteLoad load = WriteLoad.start(harness.lab.localWriter("c1"), harness.config.credentials().application(),
        3, 1)) {
      harness.awaitWrites("c1", load, 100, 10_000, "before the freeze");
      long frozenAt = System.currentTimeMillis();
      long frozenNanos = System.nanoTime();
      process.signal("STOP");
      try {
        WatchStatus w = harness.awaitRecoveries("c1", 1, 40_000);
        assertThat(w.recoveries()).as("watch: " + w).isEqualTo(1);
        assertThat(w.events()).anySatisfy(e -> assertThat(e).contains("DeadPrimary"));
        harness.awaitWrites("c1", load, 100, 10_000, "on the new primary");
        RunbookProgress result = Waits.result(harness.client, harness.config, "c1", WorkflowIds.failover("c1"),
            Duration.ofSeconds(60));
        System.out.println("recovery: " + result.state() + ": " + result.detail());
        assertThat(result.state()).isEqualTo(RunbookState.COMPLETED);
        long promoted = RunbookTimes.endedAt(result, dev.handoff.planning.RunbookPlan.PROMOTE);
        long published = RunbookTimes.endedAt(result, dev.handoff.planning.RunbookPlan.PUBLISH_TOPOLOGY);
        long resumed = load.resumedAtNanos(frozenNanos);
        System.out.println("recovery started " + (RunbookTimes.startedAt(harness.client, WorkflowIds.failover("c1"))
            - frozenAt) + " ms after SIGSTOP; its steps: " + result.steps().stream()
            .map(st -> st.name() + " " + st.millis() + " ms").toList());
        System.out.printf("frozen primary %s: SIGSTOP to promotion %d ms, to topology published %d ms, to writes"
            + " resumed through the local HAProxy %d ms; the replicas' timeout (slave_net_timeout) %d s: target"
            + " %d ms (not asserted: see bench recovery --freeze)%n", frozen, promoted - frozenAt,
            published - frozenAt, (resumed - frozenNanos) / 1_000_000, netTimeout, (netTimeout + 2) * 1000);
        // The fence shut the sessions to the frozen primary down: none is left on any remote HAProxy.
        harness.await("c1", () -> {
          try {
            return writerSessions(frozen).values().stream().allMatch(n -> n == 0);
          } catch (Exception e) {
            return false;
          }
        }, 5_000, "no session left to the fenced " + frozen + " in any writer backend");
      } finally {
        process.signal("CONT");
        quietly(held);
      }
      harness.await("c1", () -> readOnly(frozen), 15_000, frozen + " to be set read-only after it thawed");
      // A statement already in the frozen primary's socket buffer may commit as it thaws, before anything
      // can set it read-only: an errant transaction no client was told of. If there is one, the watch names it
      // and says what to do.
      String newPrimary = harness.status("c1").kvPrimary();
      GtidSet errant = GtidSet.parse(Flavor.MARIADB, gtidCurrent(frozen))
          .subtract(GtidSet.parse(Flavor.MARIADB, gtidCurrent(newPrimary)));
      System.out.println("thawed old primary's transactions the new primary lacks: "
          + (errant.isEmpty() ? "none" : errant));
      if (!errant.isEmpty()) {
        harness.await("c1", () -> harness.watch("c1").events().stream()
            .anyMatch(e -> e.contains("ErrantGtid") && e.contains(frozen) && e.contains("rebuild")), 15_000,
            "the watch to report the thawed old primary's errant transactions and what to do");
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
      assertThat(s.instances()).filteredOn(i -> !i.readOnly()).as("exactly one writer").singleElement()
          .satisfies(i -> assertThat(i.key()).isEqualTo(s.kvPrimary()));
    }
  }

  private static void quietly(Connection c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // closing a connection HAProxy already cut
    }
  }
}
