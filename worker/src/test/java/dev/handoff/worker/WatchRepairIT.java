package dev.handoff.worker;

import dev.handoff.domain.AnalysisCode;
import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.lab.Lab;
import dev.handoff.lab.LabExtension;
import dev.handoff.recovery.WatchStatus;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The analyses the watch repairs or reports without a failover: a read-only primary (NoWritablePrimary)
 * is made writable again, a second writable instance (MultipleWritable) read-only again; a primary fallen
 * back from semi-sync (SemiSyncDegraded) and an unreadable KV store (DetectionBlind) are reported, and the
 * watch returns to NoProblem by itself once the KV store is back.
 */
class WatchRepairIT {
  @RegisterExtension
  static final LabExtension LAB = LabExtension.clusters(1).replicas(2);
  static final String CLUSTER = "c1";
  /** How long the watch may take to see and repair or report a state it probes for every second. */
  static final long WITHIN_MILLIS = 15_000;
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

  /** Every test leaves the cluster healthy, so none depends on another or on their order. */
  @AfterEach
  void leaveTheClusterHealthy() throws InterruptedException {
    harness.assertHealthyWithin(CLUSTER, 30_000);
  }

  private static String primary() {
    return harness.status(CLUSTER).kvPrimary();
  }

  /** Events that appeared since the baseline. */
  private static List<String> newEvents(WorkerHarness.Baseline b, WatchStatus w) {
    return w.events().stream().filter(e -> !b.events().contains(e)).toList();
  }

  private static boolean mentions(WorkerHarness.Baseline b, WatchStatus w, String code) {
    return (w.lastAnalysis() != null && code.equals(w.lastAnalysis().wireName())) || newEvents(b, w).stream().anyMatch(e -> e.contains(code));
  }

  /** An event since the baseline that names the analysis and says what the watch did about it. */
  private static boolean actionReported(WorkerHarness.Baseline b, WatchStatus w, String code) {
    return newEvents(b, w).stream().anyMatch(e -> e.contains(code) && e.toLowerCase().contains("action"));
  }

  private static void awaitInstance(String what, long millis, SqlCondition condition) throws Exception {
    long deadline = System.nanoTime() + millis * 1_000_000;
    while (System.nanoTime() < deadline) {
      if (condition.holds()) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("within " + millis + " ms " + what + " did not happen" + harness.describe(CLUSTER));
  }

  @FunctionalInterface
  interface SqlCondition {
    boolean holds() throws Exception;
  }

  private static String semiSyncStatus(String instance) throws Exception {
    try (Connection c = harness.lab.admin(instance); Statement st = c.createStatement();
         var rs = st.executeQuery("SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_master_status'")) {
      return rs.next() ? rs.getString(2) : null;
    }
  }

  /** One write on the primary; with no replica acknowledging, it waits out rpl_semi_sync_master_timeout. */
  private static void writeOn(String primary) throws Exception {
    harness.sql(primary, "CREATE TABLE IF NOT EXISTS app.watch_repair (id INT AUTO_INCREMENT PRIMARY KEY,"
        + " at TIMESTAMP(6) DEFAULT CURRENT_TIMESTAMP(6))", "INSERT INTO app.watch_repair () VALUES ()");
  }

  @Test
  void aReadOnlyPrimaryIsMadeWritableAgain() throws Exception {
    var before = harness.noProblemBaseline(CLUSTER);
    String primary = primary();
    harness.sql(primary, "SET GLOBAL read_only = 1");
    try {
      awaitInstance("the watch making the primary " + primary + " writable again", WITHIN_MILLIS,
          () -> !harness.readOnly(primary));
      WatchStatus w = harness.awaitWatch(CLUSTER, before, x -> actionReported(before, x, "NoWritablePrimary"), 5000,
          "reported NoWritablePrimary and its action in an event");
      assertThat(newEvents(before, w)).as(harness.describe(CLUSTER))
          .anySatisfy(e -> assertThat(e).contains("NoWritablePrimary"));
      try (Connection c = harness.lab.app(harness.lab.localWriter(CLUSTER)); Statement st = c.createStatement()) {
        st.execute("CREATE TABLE IF NOT EXISTS app.watch_repair_writes (id INT PRIMARY KEY)");
        st.execute("REPLACE INTO app.watch_repair_writes VALUES (1)");
      }
      harness.assertNoFailoverFor(CLUSTER, before, 1000);
    } finally {
      harness.sqlQuietly(primary, "SET GLOBAL read_only = 0");
    }
  }

  @Test
  void aSecondWritableInstanceIsMadeReadOnlyAgain() throws Exception {
    var before = harness.noProblemBaseline(CLUSTER);
    String primary = primary();
    String replica = harness.replicas(CLUSTER).get(0);
    harness.sql(replica, "SET GLOBAL read_only = 0");
    try {
      awaitInstance("the watch setting " + replica + " read-only again", WITHIN_MILLIS,
          () -> harness.readOnly(replica));
      assertThat(harness.readOnly(primary)).as("the topology's primary stays writable" + harness.describe(CLUSTER))
          .isFalse();
      harness.awaitWatch(CLUSTER, before, x -> actionReported(before, x, "MultipleWritable"), 5000,
          "reported MultipleWritable and its action in an event");
      harness.assertNoFailoverFor(CLUSTER, before, 1000);
      assertThat(primary()).isEqualTo(primary);
    } finally {
      harness.sqlQuietly(replica, "SET GLOBAL read_only = 1");
    }
  }

  /**
   * Runs {@code degrade} on every replica and writes on the primary until it has fallen back to
   * asynchronous replication (no acknowledgement within rpl_semi_sync_master_timeout); expects the watch
   * to report SemiSyncDegraded within the bound, with no failover. Then runs {@code restore} on every
   * replica and waits until semi-sync is back on.
   */
  private static void expectSemiSyncDegradedReported(List<String> degrade, List<String> restore) throws Exception {
    var before = harness.noProblemBaseline(CLUSTER);
    String primary = primary();
    List<String> replicas = harness.replicas(CLUSTER);
    try {
      for (String r : replicas) {
        harness.sql(r, degrade.toArray(String[]::new));
      }
      writeOn(primary);
      awaitInstance("setup: " + primary + " falling back to asynchronous replication", 10_000,
          () -> "OFF".equals(semiSyncStatus(primary)));
      harness.awaitWatch(CLUSTER, before, w -> mentions(before, w, "SemiSyncDegraded")
          || (w.lastDetail() != null && w.lastDetail().contains("SemiSyncDegraded")), WITHIN_MILLIS,
          "reported SemiSyncDegraded");
      harness.assertNoFailoverFor(CLUSTER, before, 1000);
    } finally {
      for (String r : replicas) {
        harness.sqlQuietly(r, restore.toArray(String[]::new));
      }
    }
    awaitInstance("semi-sync back on at " + primary, 20_000, () -> {
      writeOn(primary);
      return "ON".equals(semiSyncStatus(primary));
    });
  }

  /** Every replica's IO thread stopped while the primary writes: semi-sync times out and falls back to async. */
  @Test
  void aPrimaryFallenBackFromSemiSyncIsReported() throws Exception {
    expectSemiSyncDegradedReported(List.of("STOP SLAVE IO_THREAD"), List.of("START SLAVE IO_THREAD"));
  }

  /**
   * The same fallback with both replicas replicating (IO and SQL threads running) but not acknowledging
   * (their semi-sync slave side switched off): SemiSyncDegraded is the only thing wrong.
   */
  @Test
  void replicasThatReplicateButDoNotAcknowledgeAreReportedAsSemiSyncDegraded() throws Exception {
    expectSemiSyncDegradedReported(
        List.of("SET GLOBAL rpl_semi_sync_slave_enabled = 0", "STOP SLAVE IO_THREAD", "START SLAVE IO_THREAD"),
        List.of("SET GLOBAL rpl_semi_sync_slave_enabled = 1", "STOP SLAVE IO_THREAD", "START SLAVE IO_THREAD"));
  }

  /** etcd stopped: the watch cannot read the topology, says so, and acts on nothing; etcd back: NoProblem. */
  @Test
  void anUnreadableKvStoreIsReportedAndTheWatchRecoversByItself() throws Exception {
    var before = harness.noProblemBaseline(CLUSTER);
    Lab.stopEtcd(LAB.info());
    try {
      harness.awaitWatch(CLUSTER, before, w -> mentions(before, w, "DetectionBlind"), WITHIN_MILLIS,
          "reported DetectionBlind with etcd stopped");
    } finally {
      Lab.startEtcd(LAB.info());
    }
    harness.awaitWatch(CLUSTER, before, w -> AnalysisCode.NO_PROBLEM == w.lastAnalysis()
        && newEvents(before, w).stream().anyMatch(e -> e.contains("DetectionBlind")), 30_000,
        "returned to NoProblem after etcd came back");
    harness.assertEpochUnchanged(CLUSTER, before);
  }
}
