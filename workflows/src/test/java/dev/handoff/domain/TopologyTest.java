package dev.handoff.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TopologyTest {
  private static final InstanceKey P = InstanceKey.parse("127.0.0.1:3307");
  private static final InstanceKey R1 = InstanceKey.parse("127.0.0.1:3308");
  private static final InstanceKey R2 = InstanceKey.parse("127.0.0.1:3309");
  private final Topology t = new Topology("main", P, List.of(R1, R2), 4);

  @Test
  void membersAndContains() {
    assertThat(t.members()).containsExactly(P, R1, R2);
    assertThat(t.contains(R2)).isTrue();
    assertThat(t.contains(InstanceKey.parse("127.0.0.1:1"))).isFalse();
  }

  @Test
  void switchoverMovesOldPrimaryToReplicasAndRaisesEpoch() {
    Topology next = t.afterSwitchover(R1);
    assertThat(next).isEqualTo(new Topology("main", R1, List.of(R2, P), 5));
  }

  @Test
  void failoverDropsDeadPrimary() {
    assertThat(t.afterFailover(R2)).isEqualTo(new Topology("main", R2, List.of(R1), 5));
  }

  @Test
  void refusesInconsistentShapes() {
    assertThatThrownBy(() -> t.afterSwitchover(P)).hasMessageContaining("127.0.0.1:3307 is not a replica of cluster main");
    assertThatThrownBy(() -> new Topology("main", P, List.of(P), 1)).hasMessageContaining("as a replica too");
    assertThatThrownBy(() -> new Topology("main", P, List.of(R1, R1), 1)).hasMessageContaining("twice");
    assertThatThrownBy(() -> new Topology(" ", P, List.of(), 1)).hasMessageContaining("cluster name");
    assertThatThrownBy(() -> new Topology("main", null, List.of(), 1)).hasMessageContaining("needs a primary");
    assertThat(new Topology("main", P, null, 0).replicas()).isEmpty();
  }
}
