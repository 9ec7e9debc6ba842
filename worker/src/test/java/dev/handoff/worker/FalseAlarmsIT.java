package dev.handoff.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.config.WorkerSettings;
import dev.handoff.lab.LabExtension;
import dev.handoff.recovery.WatchStatus;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What must not cause a failover: the worker alone cut off from the primary (a real partition on
 * loopback: the worker connects from 127.0.0.2 and iptables drops that address's packets to the
 * primary), a primary under heavy load, and a single stopped replica.
 */
class FalseAlarmsIT {
  @RegisterExtension
  static final LabExtension LAB = LabExtension.clusters(1).replicas(2);
  static final String WORKER_ADDRESS = "127.0.0.2";
  static WorkerHarness harness;

  @BeforeAll
  static void startWorker() {
    var c = LAB.info().config();
    WorkerSettings w = c.worker();
    harness = new WorkerHarness(WorkerHarness.withWorker(c,
        new WorkerSettings(WORKER_ADDRESS, null, null, true, w.cooldownSeconds())));
  }

  @AfterAll
  static void stopWorker() {
    if (harness != null) {
      harness.close();
    }
  }

  private static String primary() {
    return harness.status("c1").kvPrimary();
  }

  /** Watches for {@code millis} and asserts no recovery happened and the topology kept its epoch. */
  private static WatchStatus assertNoFailoverFor(long millis, long epoch) throws InterruptedException {
    long deadline = System.nanoTime() + millis * 1_000_000;
    WatchStatus w = harness.watch("c1");
    while (System.nanoTime() < deadline) {
      w = harness.watch("c1");
      assertThat(w.recoveries()).as(() -> "no recovery\n" + harness.diagnostics("c1")).isZero();
      assertThat(w.mode()).isNotEqualTo("recovering");
      Thread.sleep(250);
    }
    assertThat(harness.status("c1").kvEpoch()).isEqualTo(epoch);
    return w;
  }

  private static void awaitAnalysis(String code, long millis) {
    harness.awaitAnalysis("c1", code, millis);
  }

  private static void iptables(String action, int port) throws Exception {
    Process p = new ProcessBuilder("iptables", action, "OUTPUT", "-s", WORKER_ADDRESS, "-d", "127.0.0.1", "-p", "tcp",
        "--dport", Integer.toString(port), "-j", "DROP").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("iptables " + action + " (needs root and the iptables package from"
        + " scripts/install-deps): " + out).isZero();
  }

  @Test
  void theWorkerAloneCutOffFromThePrimaryIsNoFailover() throws Exception {
    awaitAnalysis("NoProblem", 15_000);
    long epoch = harness.status("c1").kvEpoch();
    String p = primary();
    int port = Integer.parseInt(p.substring(p.lastIndexOf(':') + 1));
    iptables("-I", port);
    try {
      awaitAnalysis("UnreachablePrimary", 15_000);
      WatchStatus w = assertNoFailoverFor(6000, epoch);
      assertThat(w.lastAnalysis()).isEqualTo("UnreachablePrimary");
    } finally {
      iptables("-D", port);
    }
    awaitAnalysis("NoProblem", 15_000);
  }

  @Test
  void aPrimaryUnderHeavyLoadButAnsweringIsNoFailover() throws Exception {
    awaitAnalysis("NoProblem", 15_000);
    long epoch = harness.status("c1").kvEpoch();
    List<CompletableFuture<Void>> burners = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      burners.add(CompletableFuture.runAsync(() -> {
        try (Connection c = harness.lab.admin(primary()); Statement st = c.createStatement()) {
          st.execute("SELECT BENCHMARK(400000000, MD5('handoff'))");
        } catch (Exception ignored) {
          // the load is the point, not its result
        }
      }));
    }
    try {
      assertNoFailoverFor(8000, epoch);
    } finally {
      try (Connection c = harness.lab.admin(primary()); Statement st = c.createStatement()) {
        var rs = st.executeQuery("SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT BENCHMARK%'");
        List<Long> ids = new ArrayList<>();
        while (rs.next()) {
          ids.add(rs.getLong(1));
        }
        for (long id : ids) {
          st.execute("KILL QUERY " + id);
        }
      }
      CompletableFuture.allOf(burners.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    }
  }

  @Test
  void aSingleStoppedReplicaIsNoFailover() throws Exception {
    awaitAnalysis("NoProblem", 15_000);
    long epoch = harness.status("c1").kvEpoch();
    String replica = harness.lab.instances("c1").stream().filter(k -> !k.equals(primary())).findFirst().orElseThrow();
    try (Connection c = harness.lab.admin(replica); Statement st = c.createStatement()) {
      st.execute("STOP SLAVE");
      try {
        assertNoFailoverFor(5000, epoch);
      } finally {
        st.execute("START SLAVE");
      }
    }
  }
}
