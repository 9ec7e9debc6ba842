package dev.handoff.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.domain.Flavor;
import dev.handoff.domain.InstanceKey;
import dev.handoff.domain.InstanceSnapshot;
import dev.handoff.domain.PromotionRule;
import dev.handoff.domain.ReplicationStatus;
import dev.handoff.planning.ReplicaView;
import dev.handoff.planning.ReplicaView.IoState;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The operator's status and detection's view are both derived from one snapshot of an instance, so they
 * cannot disagree about it: its role, source, threads, read_only, GTIDs and pt-heartbeat's figure.
 */
class SnapshotViewsTest {
  private static final InstanceKey P = InstanceKey.parse("127.0.0.1:3307");
  private static final InstanceKey R = InstanceKey.parse("127.0.0.1:3308");

  private static InstanceSnapshot snapshot(boolean readOnly, ReplicationStatus replication, Double heartbeatAge) {
    return new InstanceSnapshot(R, true, null, 8, null, Flavor.MARIADB, "10.11.19-MariaDB", readOnly, "0-1-100",
        replication, false, 0, PromotionRule.NEUTRAL, heartbeatAge, false);
  }

  private static ReplicationStatus replicating(String io, String sql, String ioError, String sqlError) {
    return new ReplicationStatus(P, io.equals("Yes"), sql.equals("Yes"), "0-1-101", ioError, sqlError, 1L, 0.4,
        io.equals("Connecting"), true, new ReplicationStatus.Progress("bin.000002", 900, "bin.000002", 800, 7));
  }

  @Test
  void statusAndDetectionViewOfOneSnapshotAgree() {
    List<InstanceSnapshot> snapshots = List.of(
        snapshot(true, replicating("Yes", "Yes", "", ""), 0.4),
        snapshot(true, replicating("Connecting", "Yes", "error reconnecting to master", ""), 0.4),
        snapshot(true, replicating("No", "No", "", "Duplicate entry"), 0.4),
        snapshot(true, null, 3.0),
        snapshot(false, null, 0.2),
        InstanceSnapshot.unreachable(R, PromotionRule.NEUTRAL, "Connection refused"));
    for (InstanceSnapshot s : snapshots) {
      InstanceStatus status = InstanceStatus.of(s);
      ReplicaView view = ReplicaView.of(s, 1.5);
      assertThat(status.key()).isEqualTo(view.key().toString());
      assertThat(status.reachable()).isEqualTo(view.reachable());
      if (!s.reachable()) {
        assertThat(status.role()).isEqualTo(InstanceStatus.UNREACHABLE);
        assertThat(status.error()).isEqualTo(view.error()).isEqualTo("Connection refused");
        assertThat(status.writable()).isFalse();
        assertThat(view.readOnly()).as("unknown is not writable").isTrue();
        continue;
      }
      assertThat(status.role().equals(InstanceStatus.REPLICA)).as(status.role()).isEqualTo(view.source() != null);
      assertThat(status.source()).isEqualTo(view.source());
      assertThat(status.readOnly()).isEqualTo(view.readOnly());
      assertThat(status.writable()).isEqualTo(!view.readOnly());
      assertThat(status.gtidExecuted()).isEqualTo(view.gtidExecuted());
      if (view.source() == null) {
        assertThat(view.io()).isEqualTo(IoState.NONE);
        assertThat(status.ioRunning()).isNull();
        assertThat(status.role()).isEqualTo(s.readOnly() ? InstanceStatus.READ_ONLY_STANDALONE : InstanceStatus.PRIMARY);
        assertThat(status.heartbeatAgeSeconds()).isEqualTo(s.heartbeatAgeSeconds());
      } else {
        assertThat(status.ioRunning()).isEqualTo(view.io() == IoState.CONNECTED);
        assertThat(status.sqlRunning()).isEqualTo(view.sqlThreadRunning());
        assertThat(status.heartbeatAgeSeconds()).isEqualTo(view.lagSeconds());
        assertThat(status.usingGtid()).isTrue();
        assertThat(view.secondsSinceReceived()).isEqualTo(1.5);
        assertThat(view.appliedAll()).isFalse();
      }
    }
  }

  @Test
  void theReplicationErrorsShowInBothViews() {
    InstanceSnapshot s = snapshot(true, replicating("Connecting", "Yes", "error reconnecting to master", ""), 0.4);
    assertThat(InstanceStatus.of(s).error()).isEqualTo("error reconnecting to master");
    assertThat(ReplicaView.of(s, null).lastIoError()).isEqualTo("error reconnecting to master");
    assertThat(ReplicaView.of(s, null).io()).isEqualTo(IoState.CONNECTING);
    InstanceSnapshot healthy = snapshot(true, replicating("Yes", "Yes", "", ""), 0.4);
    assertThat(InstanceStatus.of(healthy).error()).isNull();
    assertThat(InstanceStatus.of(snapshot(false, null, 0.2)).error()).isNull();
  }
}
