package dev.handoff.worker;

import dev.handoff.domain.AnalysisCode;
import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.config.WorkerSettings;
import dev.handoff.lab.Lab;
import dev.handoff.lab.LabExtension;
import dev.handoff.recovery.WatchStatus;
import dev.handoff.status.InstanceStatus;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What must not cause a failover: the worker alone cut off from the primary (a real partition on
 * loopback: the worker connects from 127.0.0.2 and iptables drops that address's packets to the
 * primary), also while both replicas lag, or while no replica can vouch either way (one not replicating
 * at all, one whose IO thread an operator stopped); a primary under heavy load; a single stopped replica.
 */
class FalseAlarmsIT {
  @RegisterExtension
  static final LabExtension LAB = LabExtension.clusters(1).replicas(2);
  static final String WORKER_ADDRESS = "127.0.0.2";
  static final String CLUSTER = "c1";
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

  /** Every test leaves the cluster healthy, so none depends on another or on their order. */
  @AfterEach
  void leaveTheClusterHealthy() throws InterruptedException {
    harness.assertHealthyWithin(CLUSTER, 30_000);
  }

  private static String primary() {
    return harness.status(CLUSTER).kvPrimary();
  }

  private static int port(String instance) {
    return Integer.parseInt(instance.substring(instance.lastIndexOf(':') + 1));
  }

  private static void iptables(String action, int port) throws Exception {
    Process p = new ProcessBuilder("iptables", action, "OUTPUT", "-s", WORKER_ADDRESS, "-d", "127.0.0.1", "-p", "tcp",
        "--dport", Integer.toString(port), "-j", "DROP").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("iptables " + action + " (needs root and the iptables package from"
        + " scripts/install-deps): " + out).isZero();
  }

  interface Body {
    void run() throws Exception;
  }

  /** Runs {@code during} with the worker cut off from the primary; the rule goes whatever happens. */
  private static void whileTheWorkerIsCutOffFrom(String primary, Body during) throws Exception {
    iptables("-I", port(primary));
    try {
      during.run();
    } finally {
      iptables("-D", port(primary));
    }
  }

  /** Waits (bounded) until every one of the instances has a pt-heartbeat row older than {@code seconds}. */
  private static void awaitHeartbeatAge(List<String> instances, double seconds, long millis) throws Exception {
    long deadline = System.nanoTime() + millis * 1_000_000;
    while (System.nanoTime() < deadline) {
      List<InstanceStatus> all = harness.status(CLUSTER).instances().stream()
          .filter(i -> instances.contains(i.key())).toList();
      if (all.size() == instances.size() && all.stream()
          .allMatch(i -> i.heartbeatAgeSeconds() != null && i.heartbeatAgeSeconds() > seconds)) {
        return;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("setup: " + instances + " did not fall " + seconds + " s behind within " + millis + " ms"
        + harness.describe(CLUSTER));
  }

  /** UnreachablePrimary within a bound, then no failover for {@code millis} and still UnreachablePrimary. */
  private static void expectUnreachablePrimaryOnly(WorkerHarness.Baseline before, long millis) throws Exception {
    harness.awaitWatch(CLUSTER, before, w -> AnalysisCode.UNREACHABLE_PRIMARY == w.lastAnalysis(), 15_000,
        "reported UnreachablePrimary");
    WatchStatus w = harness.assertNoFailoverFor(CLUSTER, before, millis);
    assertThat(w.lastAnalysis()).as(harness.describe(CLUSTER)).isEqualTo(AnalysisCode.UNREACHABLE_PRIMARY);
  }

  @Test
  void theWorkerAloneCutOffFromThePrimaryIsNoFailover() throws Exception {
    var before = harness.noProblemBaseline(CLUSTER);
    whileTheWorkerIsCutOffFrom(primary(), () -> expectUnreachablePrimaryOnly(before, 6000));
    harness.assertBackToNoProblem(CLUSTER, before);
  }

  /**
   * Lag is not liveness: both replicas' SQL threads stopped while the primary keeps writing (pt-heartbeat
   * alone writes twice a second), so their newest heartbeat row ages past any limit, yet their IO threads
   * still receive. With the worker cut off from the primary, nobody votes it dead.
   */
  @Test
  void theWorkerCutOffWhileBothReplicasLagIsNoFailover() throws Exception {
    var before = harness.noProblemBaseline(CLUSTER);
    String primary = primary();
    List<String> replicas = harness.replicas(CLUSTER);
    try {
      for (String r : replicas) {
        harness.sql(r, "STOP SLAVE SQL_THREAD");
      }
      awaitHeartbeatAge(replicas, 4.0, 15_000);
      // The replicas lag ~4 s at the cut and ~16 s at the end.
      whileTheWorkerIsCutOffFrom(primary, () -> harness.assertNoFailoverFor(CLUSTER, before, 12_000));
    } finally {
      for (String r : replicas) {
        harness.sqlQuietly(r, "START SLAVE SQL_THREAD");
      }
    }
    harness.assertBackToNoProblem(CLUSTER, before);
  }

  /**
   * A replica that is not replicating at all (a restarted old primary, no replication configured) and
   * one whose IO thread an operator stopped have no say about the primary: with the worker cut off from
   * it, that is UnreachablePrimary, never DeadPrimary.
   */
  @Test
  void replicasThatCannotVouchEitherWayAbstainSoTheWorkerCutOffIsNoFailover() throws Exception {
    var before = harness.noProblemBaseline(CLUSTER);
    String primary = primary();
    List<String> replicas = harness.replicas(CLUSTER);
    String standalone = replicas.get(0);
    String ioStopped = replicas.get(1);
    try {
      harness.sql(standalone, "STOP SLAVE", "RESET SLAVE ALL");
      harness.sql(ioStopped, "STOP SLAVE IO_THREAD");
      assertThat(harness.query(standalone, "SHOW SLAVE STATUS"))
          .as("setup: " + standalone + " has no replication configured").isNull();
      whileTheWorkerIsCutOffFrom(primary, () -> expectUnreachablePrimaryOnly(before, 8000));
    } finally {
      try {
        Lab.replicate(LAB.info(), CLUSTER, standalone, primary);
      } catch (RuntimeException e) {
        System.out.println("cleanup: cannot make " + standalone + " replicate again: " + e.getMessage());
      }
      harness.sqlQuietly(ioStopped, "START SLAVE IO_THREAD");
    }
    harness.assertBackToNoProblem(CLUSTER, before);
  }

  @Test
  void aPrimaryUnderHeavyLoadButAnsweringIsNoFailover() throws Exception {
    var before = harness.noProblemBaseline(CLUSTER);
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
      harness.assertNoFailoverFor(CLUSTER, before, 8000);
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
    var before = harness.noProblemBaseline(CLUSTER);
    String replica = harness.replicas(CLUSTER).get(0);
    harness.sql(replica, "STOP SLAVE");
    try {
      harness.assertNoFailoverFor(CLUSTER, before, 5000);
    } finally {
      harness.sqlQuietly(replica, "START SLAVE");
    }
  }
}
