package dev.handoff.planning;

import static dev.handoff.planning.Fixture.P;
import static dev.handoff.planning.Fixture.R1;
import static dev.handoff.planning.Fixture.R2;
import static dev.handoff.planning.Fixture.R3;
import static dev.handoff.planning.Fixture.key;
import static dev.handoff.planning.Fixture.replica;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RecoveryReplicasTest {
  @Test
  void theOthersAreMovedListedOrLeftBehindByWhatTheyCanDo() {
    RecoveryReplicas r = RecoveryReplicas.of(List.of(
        Fixture.primary(P, "0-1-100").unreachable("connect timed out").build(),
        replica(R1, "0-1-100").build(),                               // promoted
        replica(R2, "0-1-100").build(),                               // healthy: moved and listed
        replica(R3, "0-1-99").sql(false, "Duplicate entry").build(),  // SQL error: moved, not listed
        replica(key(3312), "").unreachable("refused").build()),       // unreachable: left behind
        P, R1);

    assertThat(r.toMove()).containsExactly(R2, R3);
    assertThat(r.listed()).containsExactly(R2);
    assertThat(r.leftBehind()).containsOnly(org.assertj.core.api.Assertions.entry(key(3312), "unreachable: refused"));
  }

  @Test
  void anErrantReplicaIsLeftBehindWithItsTransactions() {
    RecoveryReplicas r = RecoveryReplicas.of(List.of(
        replica(R1, "0-1-100,9-8-1").build(),  // 3308 (server_id 8) wrote a transaction of its own
        replica(R2, "0-1-100").build(),
        replica(R3, "0-1-100").build()), P, R3);

    assertThat(r.toMove()).containsExactly(R2);
    assertThat(r.leftBehind()).containsOnlyKeys(R1);
    assertThat(r.leftBehind().get(R1)).contains("errant", "9-8-1");
  }

  @Test
  void neitherTheOldNorTheNewPrimaryIsAReplicaOfTheRecovery() {
    RecoveryReplicas r = RecoveryReplicas.of(List.of(replica(R1, "0-1-100").build(), replica(R2, "0-1-100").build()),
        R2, R1);

    assertThat(r.toMove()).isEmpty();
    assertThat(r.listed()).isEmpty();
    assertThat(r.leftBehind()).isEmpty();
  }
}
