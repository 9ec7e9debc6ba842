package dev.handoff.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class InstanceSnapshotTest {
  private static final InstanceKey P = InstanceKey.parse("127.0.0.1:3307");
  private static final InstanceKey R = InstanceKey.parse("127.0.0.1:3308");

  private static InstanceSnapshot replica(String executed, ReplicationStatus repl) {
    return new InstanceSnapshot(R, true, null, 2, null, Flavor.MARIADB, "10.11.19-MariaDB", true, executed, repl,
        false, 0, null);
  }

  @Test
  void receivedIsExecutedPlusIoPosition() {
    var repl = new ReplicationStatus(P, true, true, "0-1-105", null, null, 0L, null);
    InstanceSnapshot s = replica("0-1-100,1-1-3", repl);
    assertThat(s.executedSet()).hasToString("0-1-100,1-1-3");
    assertThat(s.receivedSet()).hasToString("0-1-105,1-1-3");
    assertThat(replica("0-1-100", null).receivedSet()).hasToString("0-1-100");
  }

  @Test
  void lagPrefersHeartbeat() {
    assertThat(new ReplicationStatus(P, true, true, "", null, null, 9L, 0.4).lagSeconds()).isEqualTo(0.4);
    assertThat(new ReplicationStatus(P, true, true, "", null, null, 9L, null).lagSeconds()).isEqualTo(9.0);
    assertThat(new ReplicationStatus(P, true, true, "", null, null, null, null).lagSeconds()).isNull();
    assertThat(replica("", null).lagSeconds()).isNull();
  }

  @Test
  void replicatesFromNeedsBothThreadsAndTheRightSource() {
    assertThat(replica("", new ReplicationStatus(P, true, true, null, null, null, 0L, null)).replicatesFrom(P)).isTrue();
    assertThat(replica("", new ReplicationStatus(P, false, true, null, null, null, 0L, null)).replicatesFrom(P)).isFalse();
    assertThat(replica("", new ReplicationStatus(R, true, true, null, null, null, 0L, null)).replicatesFrom(P)).isFalse();
    assertThat(replica("", null).replicatesFrom(P)).isFalse();
  }

  @Test
  void defaultsAndOrigin() {
    InstanceSnapshot s = new InstanceSnapshot(R, true, null, 2, null, Flavor.MARIADB, "v", false, null, null, false, 0, null);
    assertThat(s.gtidExecuted()).isEmpty();
    assertThat(s.promotionRule()).isEqualTo(PromotionRule.NEUTRAL);
    assertThat(s.originId()).isEqualTo("2");
    InstanceSnapshot mysql = new InstanceSnapshot(R, true, null, 2, "3e11fa47-71ca-11e1-9e33-c80aa9429562", Flavor.MYSQL,
        "8.0.36", false, "", null, false, 0, null);
    assertThat(mysql.originId()).isEqualTo("3e11fa47-71ca-11e1-9e33-c80aa9429562");
    assertThatThrownBy(() -> new InstanceSnapshot(null, true, null, 0, null, null, null, false, "", null, false, 0, null))
        .hasMessageContaining("needs a key");
  }

  @Test
  void unreachableHasNoFlavorToParseWith() {
    InstanceSnapshot s = InstanceSnapshot.unreachable(R, PromotionRule.PREFER, "Connection refused");
    assertThat(s.reachable()).isFalse();
    assertThat(s.originId()).isNull();
    assertThatThrownBy(s::executedSet).hasMessageContaining("flavor of 127.0.0.1:3308 is unknown");
  }

  @Test
  void replicationErrorsReadable() {
    assertThat(new ReplicationStatus(P, false, true, "", "error connecting", " ", null, null).errors())
        .isEqualTo("IO: error connecting");
    assertThat(new ReplicationStatus(P, false, false, "", "a", "b", null, null).errors()).isEqualTo("IO: a; SQL: b");
    assertThat(new ReplicationStatus(P, true, true, "", null, null, null, null).errors()).isEmpty();
  }
}
