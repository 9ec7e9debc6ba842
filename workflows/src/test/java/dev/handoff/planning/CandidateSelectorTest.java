package dev.handoff.planning;

import static dev.handoff.planning.Fixture.R1;
import static dev.handoff.planning.Fixture.R2;
import static dev.handoff.planning.Fixture.R3;
import static dev.handoff.planning.Fixture.replica;
import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.domain.FailureType;
import dev.handoff.domain.InstanceSnapshot;
import dev.handoff.domain.PromotionRule;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class CandidateSelectorTest {

  @Nested
  class Planned {
    @Test
    void preferBeatsNeutralEvenWhenBehind() {
      assertThat(CandidateSelector.choosePlanned(List.of(
          replica(R1, "0-1-100").build(),
          replica(R2, "0-1-90").rule(PromotionRule.PREFER).build())).key()).isEqualTo(R2);
    }

    @Test
    void thenMostAdvancedByGtid() {
      assertThat(CandidateSelector.choosePlanned(List.of(
          replica(R1, "0-1-90,1-1-5").build(),
          replica(R2, "0-1-100,1-1-5").build(),
          replica(R3, "0-1-95,1-1-5").build())).key()).isEqualTo(R2);
    }

    @Test
    void thenLowestLag() {
      assertThat(CandidateSelector.choosePlanned(List.of(
          replica(R1, "0-1-100").lag(0L, 2.0).build(),
          replica(R2, "0-1-100").lag(0L, 0.5).build(),
          replica(R3, "0-1-100").lag(null, null).build())).key()).isEqualTo(R2);
    }

    @Test
    void thenKeyStringForDeterminism() {
      List<InstanceSnapshot> tie = List.of(replica(R3, "0-1-100").build(), replica(R1, "0-1-100").build());
      assertThat(CandidateSelector.choosePlanned(tie).key()).isEqualTo(R1);
      assertThat(CandidateSelector.choosePlanned(List.of(tie.get(1), tie.get(0))).key()).isEqualTo(R1);
    }

    @Test
    void mustNotIsNeverChosen() {
      assertThat(CandidateSelector.choosePlanned(List.of(replica(R1, "0-1-100").rule(PromotionRule.MUST_NOT).build())))
          .isNull();
      assertThat(CandidateSelector.choosePlanned(List.of())).isNull();
    }
  }

  @Nested
  class Unplanned {
    @Test
    void choosesByReceivedBeforeExecuted() {
      RecoveryChoice c = CandidateSelector.chooseUnplanned(List.of(
          replica(R1, "0-1-100").received("0-1-100").build(),
          replica(R2, "0-1-95").received("0-1-105").build()), "0-1-100");
      assertThat(c.found()).isTrue();
      assertThat(c.candidate()).isEqualTo(R2);
      assertThat(c.anotherReplicaAhead()).isFalse();
      assertThat(c.aheadReplica()).isNull();
      assertThat(c.aheadGtids()).isEmpty();
      assertThat(c.excluded()).isEmpty();
      assertThat(c.failureType()).isNull();
      assertThat(c.detail()).contains("chose 127.0.0.1:3309");
    }

    @Test
    void thenByExecuted() {
      RecoveryChoice c = CandidateSelector.chooseUnplanned(List.of(
          replica(R1, "0-1-100").received("0-1-105").build(),
          replica(R2, "0-1-104").received("0-1-105").build()), null);
      assertThat(c.candidate()).isEqualTo(R2);
    }

    @Test
    void thenPromotionRuleThenKey() {
      assertThat(CandidateSelector.chooseUnplanned(List.of(
          replica(R1, "0-1-100").build(),
          replica(R2, "0-1-100").rule(PromotionRule.PREFER).build()), null).candidate()).isEqualTo(R2);
      assertThat(CandidateSelector.chooseUnplanned(List.of(
          replica(R2, "0-1-100").build(),
          replica(R1, "0-1-100").build()), null).candidate()).isEqualTo(R1);
    }

    @Test
    void mustNotExcludedButReportedAsAheadToCatchUpFrom() {
      RecoveryChoice c = CandidateSelector.chooseUnplanned(List.of(
          replica(R1, "0-1-100").received("0-1-110").rule(PromotionRule.MUST_NOT).build(),
          replica(R2, "0-1-100").received("0-1-104").build(),
          replica(R3, "0-1-100").build()), "0-1-100");
      assertThat(c.candidate()).isEqualTo(R2);
      assertThat(c.anotherReplicaAhead()).isTrue();
      assertThat(c.aheadReplica()).isEqualTo(R1);
      assertThat(c.aheadGtids()).isEqualTo("0-1-110");
      assertThat(c.excluded()).containsEntry("127.0.0.1:3308", "promotion rule must_not");
      assertThat(c.detail()).contains("127.0.0.1:3308 is ahead by 0-1-110", "catch up from it");
    }

    @Test
    void errantReplicaExcludedAndNotUsedToCatchUp() {
      // R1 (server_id 8) wrote domain 1 itself: nobody else has it
      RecoveryChoice c = CandidateSelector.chooseUnplanned(List.of(
          replica(R1, "0-1-100,1-8-5").build(),
          replica(R2, "0-1-100").build()), "0-1-100");
      assertThat(c.candidate()).isEqualTo(R2);
      assertThat(c.anotherReplicaAhead()).isFalse();
      assertThat(c.excluded()).containsOnlyKeys("127.0.0.1:3308");
      assertThat(c.excluded().get("127.0.0.1:3308")).contains("errant", "1-8-5");
    }

    @Test
    void aCandidateGivenUpOnMakesWayForTheNextAndOffersOnlyWhatItExecuted() {
      List<InstanceSnapshot> replicas = List.of(
          replica(R1, "0-1-100").received("0-1-103").build(),
          replica(R2, "0-1-104").received("0-1-110").build(),
          replica(R3, "0-1-100").received("0-1-102").build());
      assertThat(CandidateSelector.chooseUnplanned(replicas, null).candidate()).isEqualTo(R2);

      RecoveryChoice c = CandidateSelector.chooseUnplanned(replicas, null,
          java.util.Map.of(R2.toString(), "SQL thread stopped: error 1062"));

      assertThat(c.candidate()).isEqualTo(R1);
      assertThat(c.excluded()).containsEntry(R2.toString(), "could not catch up: SQL thread stopped: error 1062");
      // Its relay log (up to 0-1-110) may never be applied: only its binlog (0-1-104) is worth catching up from.
      assertThat(c.aheadReplica()).isEqualTo(R2);
      assertThat(c.aheadGtids()).isEqualTo("0-1-104");

      assertThat(CandidateSelector.chooseUnplanned(replicas, null, java.util.Map.of(R2.toString(), "stalled",
          R1.toString(), "stalled")).candidate()).isEqualTo(R3);
      RecoveryChoice none = CandidateSelector.chooseUnplanned(replicas, null, java.util.Map.of(R2.toString(), "a",
          R1.toString(), "b", R3.toString(), "c"));
      assertThat(none.found()).isFalse();
      assertThat(none.failureType()).isEqualTo(FailureType.NO_ELIGIBLE_CANDIDATE);
    }

    @Test
    void errantReplicasAreNamedWithTheirTransactions() {
      assertThat(CandidateSelector.errantReplicas(List.of(
          replica(R1, "0-1-100,9-8-1").build(),
          replica(R2, "0-1-100").build()), null))
          .containsOnlyKeys(R1.toString())
          .hasEntrySatisfying(R1.toString(), why -> assertThat(why).contains("errant", "9-8-1"));
    }

    @Test
    void errantAtTheSameSeqAsTheRealHistory() {
      RecoveryChoice c = CandidateSelector.chooseUnplanned(List.of(
          replica(R1, "0-8-101").build(),
          replica(R2, "0-1-101").build()), "0-1-100");
      assertThat(c.candidate()).isEqualTo(R2);
      assertThat(c.excluded()).containsOnlyKeys("127.0.0.1:3308");
    }

    @Test
    void uniquelyMostAdvancedReplicaFromThePrimaryIsNotErrant() {
      // only R1 got the dead primary's last transactions (semi-sync ack): they carry server_id 1, not R1's
      RecoveryChoice c = CandidateSelector.chooseUnplanned(List.of(
          replica(R1, "0-1-103").received("0-1-105").build(),
          replica(R2, "0-1-100").build()), "0-1-100");
      assertThat(c.candidate()).isEqualTo(R1);
      assertThat(c.excluded()).isEmpty();
      assertThat(c.anotherReplicaAhead()).isFalse();
    }

    @Test
    void unreachableExcludedAndNoneLeftIsNoEligibleCandidate() {
      RecoveryChoice c = CandidateSelector.chooseUnplanned(List.of(
          replica(R1, "").unreachable("Connection refused").build(),
          replica(R2, "0-1-100").rule(PromotionRule.MUST_NOT).build()), "0-1-100");
      assertThat(c.found()).isFalse();
      assertThat(c.candidate()).isNull();
      assertThat(c.failureType()).isEqualTo(FailureType.NO_ELIGIBLE_CANDIDATE);
      assertThat(c.detail()).contains("127.0.0.1:3308 (unreachable (Connection refused))",
          "127.0.0.1:3309 (promotion rule must_not)");
      assertThat(CandidateSelector.chooseUnplanned(List.of(), null).detail()).contains("there are no replicas");
    }

    @Test
    void brokenSqlThreadExcludedAndOffersOnlyWhatItExecuted() {
      RecoveryChoice c = CandidateSelector.chooseUnplanned(List.of(
          replica(R1, "0-1-103").received("0-1-110").sql(false, "Duplicate entry '5' for key 'PRIMARY'").build(),
          replica(R2, "0-1-101").build()), "0-1-100");
      assertThat(c.candidate()).isEqualTo(R2);
      assertThat(c.excluded().get("127.0.0.1:3308")).contains("SQL thread stopped", "Duplicate entry");
      assertThat(c.anotherReplicaAhead()).isTrue();
      assertThat(c.aheadReplica()).isEqualTo(R1);
      assertThat(c.aheadGtids()).isEqualTo("0-1-103");
    }

    @Test
    void picksTheMostAdvancedOfSeveralAheadReplicas() {
      RecoveryChoice c = CandidateSelector.chooseUnplanned(List.of(
          replica(R1, "0-1-100").received("0-1-107").rule(PromotionRule.MUST_NOT).build(),
          replica(R2, "0-1-100").received("0-1-109").rule(PromotionRule.MUST_NOT).build(),
          replica(R3, "0-1-100").build()), null);
      assertThat(c.candidate()).isEqualTo(R3);
      assertThat(c.aheadReplica()).isEqualTo(R2);
    }

    @Test
    void mysqlErrantByOwnServerUuid() {
      String a = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
      String b = "8a94f357-aab4-11df-86ab-c80aa9429563";
      String c3 = "0b5a8a1e-1111-11ee-9e33-c80aa9429564";
      RecoveryChoice c = CandidateSelector.chooseUnplanned(List.of(
          replica(R1, a + ":1-100," + b + ":1-2").mysql(b).build(),
          replica(R2, a + ":1-100").received(a + ":90-105").mysql(c3).build()), a + ":1-100");
      assertThat(c.candidate()).isEqualTo(R2);
      assertThat(c.excluded().get("127.0.0.1:3308")).contains(b + ":1-2");
    }

    @Test
    void unknownOriginCountsEveryUniqueTransactionAsErrant() {
      String a = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
      RecoveryChoice c = CandidateSelector.chooseUnplanned(List.of(
          replica(R1, a + ":1-105").mysql(null).build(),
          replica(R2, a + ":1-100").mysql(null).build()), a + ":1-100");
      assertThat(c.candidate()).isEqualTo(R2);
      assertThat(c.excluded()).containsKey("127.0.0.1:3308");
    }

    @Test
    void unparseableGtidExcluded() {
      RecoveryChoice c = CandidateSelector.chooseUnplanned(List.of(
          replica(R1, "nonsense").build(), replica(R2, "0-1-1").build()), "also nonsense");
      assertThat(c.candidate()).isEqualTo(R2);
      assertThat(c.excluded().get("127.0.0.1:3308")).contains("cannot read its GTID sets");
    }
  }
}
