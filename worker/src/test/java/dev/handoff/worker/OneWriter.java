package dev.handoff.worker;

import dev.handoff.runbook.RunbookState;
import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.config.HandoffConfig;
import dev.handoff.config.HaproxySettings;
import dev.handoff.lab.LabClients;
import dev.handoff.lab.LabInfo;
import dev.handoff.lab.Waits;
import dev.handoff.lab.WriteLoad;
import dev.handoff.runbook.RunbookProgress;
import dev.handoff.runbook.WorkflowIds;
import dev.handoff.status.ClusterStatus;
import dev.handoff.status.InstanceStatus;
import dev.handoff.status.RouteStatus;
import io.temporal.client.WorkflowClient;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

/**
 * Invariants 1, 3 and 8 as a recovery test checks them: exactly one writable instance, every remote
 * HAProxy's writer backend serves it (and only it), and a client reaches it through every writer
 * frontend, local and remote.
 */
final class OneWriter {
  private OneWriter() {}

  /** A client writing through the local HAProxy every 3 ms, once 100 writes are acknowledged. */
  static WriteLoad startLoad(WorkerHarness harness, String cluster) throws SQLException {
    WriteLoad load = WriteLoad.start(harness.lab.localWriter(cluster), harness.config.credentials().application(),
        3, 1);
    harness.awaitWrites(cluster, load, 100, 10_000, "before the test's disturbance");
    return load;
  }

  /** What a recovery test found once writes flowed again after the kill. */
  record AfterKill(String writer, RunbookProgress result) {}

  /**
   * Kills {@code dead} under {@code load}, waits at most {@code boundMillis} for writes to flow again through
   * the local HAProxy, checks the invariants and that no acknowledged write is lost, and returns the writer
   * and the recovery's result.
   */
  static AfterKill killAndAwaitOneWriter(WorkerHarness harness, LabInfo lab, String cluster, String dead,
      WriteLoad load, long boundMillis, String scenario) throws SQLException {
    long killedAt = System.nanoTime();
    lab.mariadb(cluster, dead).signal("KILL");
    harness.awaitWrites(cluster, load, 100, boundMillis, "after the kill");
    double resumedAfter = (System.nanoTime() - killedAt) / 1e6;
    load.close();
    System.out.printf("%s: writes resumed %.0f ms after the kill; longest gap %.0f ms; %d acknowledged%n",
        scenario, resumedAfter, load.longestGapMillis(killedAt), load.acknowledged().size());
    String writer = assertEveryWriterFrontendReachesOneWritable(harness, cluster);
    try (Connection c = harness.lab.admin(writer)) {
      assertThat(WriteLoad.missing(c, load.acknowledged())).as("acknowledged writes lost").isEmpty();
    }
    RunbookProgress result = Waits.result(harness.client, harness.config, cluster, WorkflowIds.failover(cluster),
        Duration.ofSeconds(60));
    System.out.println(scenario + ": recovery " + result.state() + ": " + result.detail());
    assertThat(result.state()).as(result.detail()).isEqualTo(RunbookState.COMPLETED);
    assertThat(result.newPrimary()).isEqualTo(writer);
    return new AfterKill(writer, result);
  }

  /** Asserts the invariants and returns the one writable instance. */
  static String assertEveryWriterFrontendReachesOneWritable(WorkerHarness harness, String cluster)
      throws SQLException {
    return assertEveryWriterFrontendReachesOneWritable(harness.config, harness.lab, harness.client, cluster);
  }

  /** As {@link #assertEveryWriterFrontendReachesOneWritable(WorkerHarness, String)}, for a worker run elsewhere. */
  static String assertEveryWriterFrontendReachesOneWritable(HandoffConfig config, LabClients lab,
      WorkflowClient client, String cluster) throws SQLException {
    ClusterStatus s = Waits.status(config, cluster);
    List<String> writable = s.instances().stream().filter(InstanceStatus::writable).map(InstanceStatus::key).toList();
    assertThat(writable).as(() -> "exactly one writable instance\n" + Waits.diagnostics(client, config, cluster))
        .hasSize(1);
    String writer = writable.get(0);
    for (RouteStatus r : s.routes()) {
      if (HaproxySettings.REMOTE.equals(r.tier())) {
        assertThat(r.writers()).as(() -> r.haproxy() + "'s writer backend\n" + Waits.diagnostics(client, config, cluster))
            .containsExactly(writer);
      }
    }
    assertThat(s.kvPrimary()).as("the KV primary").isEqualTo(writer);
    int port = Integer.parseInt(writer.substring(writer.lastIndexOf(':') + 1));
    for (HaproxySettings h : config.haproxy()) {
      HaproxySettings.Frontends f = h.frontends() == null ? null : h.frontends().get(cluster);
      if (f == null) {
        continue;
      }
      try (Connection c = lab.app("127.0.0.1:" + f.writer()); Statement st = c.createStatement();
           ResultSet rs = st.executeQuery("SELECT @@port, @@read_only")) {
        rs.next();
        assertThat(rs.getInt(1)).as(h.name() + "'s writer frontend reaches the writable instance").isEqualTo(port);
        assertThat(rs.getInt(2)).as("read_only behind " + h.name() + "'s writer frontend").isZero();
      }
    }
    return writer;
  }
}
