package dev.handoff.planning;

import static dev.handoff.planning.Fixture.P;
import static dev.handoff.planning.Fixture.R1;
import static dev.handoff.planning.Fixture.R2;
import static dev.handoff.planning.Fixture.R3;
import static dev.handoff.planning.Fixture.primary;
import static dev.handoff.planning.Fixture.replica;
import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.domain.FailureType;
import dev.handoff.domain.InstanceKey;
import dev.handoff.domain.InstanceSnapshot;
import dev.handoff.domain.PromotionRule;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SwitchoverChecksTest {
  private static final SwitchoverLimits LIMITS = new SwitchoverLimits(5.0, 60);
  private static final Map<String, Boolean> HAPROXY_OK = Map.of("remote-1", true, "remote-2", true);

  private final InstanceSnapshot primary = primary(P, "0-1-100").build();

  private static SwitchoverDecision decide(InstanceSnapshot primary, List<InstanceSnapshot> replicas, InstanceKey candidate) {
    return SwitchoverChecks.evaluate(primary, replicas, candidate, LIMITS, HAPROXY_OK);
  }

  private SwitchoverDecision decideOne(Fixture candidate) {
    return decide(primary, List.of(candidate.build(), replica(R2, "0-1-100").build()), candidate.key);
  }

  @Test
  void healthyCandidatePassesEveryCheck() {
    SwitchoverDecision d = decideOne(replica(R1, "0-1-99").lag(1L, 0.4));
    assertThat(d.approved()).isTrue();
    assertThat(d.refused()).isFalse();
    assertThat(d.candidate()).isEqualTo(R1);
    assertThat(d.failureType()).isNull();
    assertThat(d.report().allPassed()).isTrue();
    assertThat(d.report().firstFailure()).isEmpty();
    assertThat(d.report().checks()).extracting(CheckResult::name).containsExactly(
        "primary-reachable", "candidate-known", "candidate-reachable", "candidate-replicating", "candidate-lag",
        "candidate-no-ddl", "candidate-no-errant-gtid", "candidate-promotion-rule", "primary-no-long-dml",
        "haproxy:remote-1", "haproxy:remote-2");
    assertThat(d.report().checks()).allSatisfy(c -> assertThat(c.failureType()).isNull());
  }

  @Test
  void unknownCandidate() {
    SwitchoverDecision d = decide(primary, List.of(replica(R1, "").build()), R3);
    assertRefused(d, FailureType.UNKNOWN_INSTANCE, "candidate 127.0.0.1:3310 is not a replica of primary 127.0.0.1:3307",
        "replicas: 127.0.0.1:3308");
  }

  @Test
  void candidateIsPrimary() {
    SwitchoverDecision d = decide(primary, List.of(replica(R1, "").build()), P);
    assertRefused(d, FailureType.CANDIDATE_IS_PRIMARY, "127.0.0.1:3307 is already the primary", "127.0.0.1:3308");
  }

  @Test
  void candidateUnreachable() {
    SwitchoverDecision d = decideOne(replica(R1, "").unreachable("Connection refused"));
    assertRefused(d, FailureType.CANDIDATE_UNREACHABLE, "127.0.0.1:3308 is unreachable (Connection refused)");
    // the other candidate checks cannot be evaluated and are not reported
    assertThat(d.report().checks()).extracting(CheckResult::name).doesNotContain("candidate-lag");
  }

  @Test
  void candidateIoThreadStopped() {
    SwitchoverDecision d = decideOne(replica(R1, "0-1-100").io(false, "error reconnecting to master"));
    assertRefused(d, FailureType.CANDIDATE_NOT_REPLICATING,
        "candidate 127.0.0.1:3308 is not replicating from primary 127.0.0.1:3307",
        "IO thread not running", "error reconnecting to master");
  }

  @Test
  void candidateSqlThreadStopped() {
    assertRefused(decideOne(replica(R1, "0-1-100").sql(false, "Duplicate entry")),
        FailureType.CANDIDATE_NOT_REPLICATING, "SQL thread not running", "SQL: Duplicate entry");
  }

  @Test
  void candidateReplicatingFromAnotherSource() {
    assertRefused(decideOne(replica(R1, "0-1-100").source(R2)),
        FailureType.CANDIDATE_NOT_REPLICATING, "source 127.0.0.1:3309");
  }

  @Test
  void candidateNotAReplicaAtAll() {
    assertRefused(decideOne(replica(R1, "0-1-100").notReplica()),
        FailureType.CANDIDATE_NOT_REPLICATING, "it is not a replica");
  }

  @Test
  void candidateLaggingByHeartbeat() {
    assertRefused(decideOne(replica(R1, "0-1-90").lag(0L, 12.5)),
        FailureType.CANDIDATE_LAGGING, "127.0.0.1:3308 lags 12.5 s behind the primary, over the 5 s limit");
  }

  @Test
  void candidateLaggingBySecondsBehindWhenNoHeartbeat() {
    assertRefused(decideOne(replica(R1, "0-1-90").lag(30L, null)), FailureType.CANDIDATE_LAGGING, "lags 30 s");
    assertThat(decideOne(replica(R1, "0-1-90").lag(30L, 1.0)).approved()).isTrue();
  }

  @Test
  void candidateLagUnknown() {
    assertRefused(decideOne(replica(R1, "0-1-90").lag(null, null)), FailureType.CANDIDATE_LAGGING, "no known lag");
  }

  @Test
  void candidateRunningDdl() {
    assertRefused(decideOne(replica(R1, "0-1-100").ddl()), FailureType.DDL_RUNNING,
        "candidate 127.0.0.1:3308 is running DDL");
  }

  @Test
  void candidateWithErrantGtids() {
    InstanceSnapshot p = primary(P, "0-1-11").build();
    assertRefused(decide(p, List.of(replica(R1, "0-3-12").build()), R1), FailureType.ERRANT_GTID,
        "candidate 127.0.0.1:3308 has transactions the primary lacks: 0-3-12; repair or re-clone it before switching over");
    assertRefused(decideOne(replica(R1, "0-1-100,3-8-12")), FailureType.ERRANT_GTID, "lacks: 3-8-12");
  }

  @Test
  void lowerPositionWrittenByAnotherServerIsNotErrant() {
    // MariaDB positions say only "up to seq N": an older position is behind, whoever wrote it
    assertThat(decideOne(replica(R1, "0-3-12")).approved()).isTrue();
  }

  @Test
  void candidateAheadOfPrimaryIsErrant() {
    assertRefused(decideOne(replica(R1, "0-3-101")), FailureType.ERRANT_GTID, "lacks: 0-3-101");
  }

  @Test
  void candidateAheadWithThePrimarysOwnTransactionsIsNotErrant() {
    // Under write load the candidate can be read a moment after the primary and hold its newest writes
    assertThat(decideOne(replica(R1, "0-7-103")).approved()).isTrue(); // the fixture primary is server 7
  }

  @Test
  void candidatePromotionRuleMustNot() {
    assertRefused(decideOne(replica(R1, "0-1-100").rule(PromotionRule.MUST_NOT)), FailureType.PROMOTION_RULE_FORBIDS,
        "127.0.0.1:3308 has promotion rule must_not");
  }

  @Test
  void primaryLongRunningDml() {
    InstanceSnapshot busy = primary(P, "0-1-100").dml(120).build();
    SwitchoverDecision d = decide(busy, List.of(replica(R1, "0-1-100").build()), R1);
    assertRefused(d, FailureType.LONG_RUNNING_DML, "primary 127.0.0.1:3307 has a DML running for 120 s, over the 60 s limit");
    assertThat(d.candidate()).isEqualTo(R1);
  }

  @Test
  void primaryDmlAtTheLimitPasses() {
    assertThat(decide(primary(P, "0-1-100").dml(60).build(), List.of(replica(R1, "0-1-100").build()), R1).approved())
        .isTrue();
  }

  @Test
  void primaryUnreachable() {
    InstanceSnapshot down = primary(P, "").unreachable("timeout").build();
    assertRefused(decide(down, List.of(replica(R1, "0-1-100").build()), R1), FailureType.PRIMARY_UNREACHABLE,
        "primary 127.0.0.1:3307 is unreachable (timeout)", "unplanned failover");
  }

  @Test
  void haproxyNotAnswering() {
    Map<String, Boolean> answers = new HashMap<>();
    answers.put("remote-1", true);
    answers.put("remote-2", false);
    answers.put("remote-3", null);
    SwitchoverDecision d = SwitchoverChecks.evaluate(primary, List.of(replica(R1, "0-1-100").build()), R1,
        LIMITS, answers);
    assertRefused(d, FailureType.HAPROXY_UNREACHABLE, "HAProxy remote-2 did not answer");
    assertThat(d.report().failures()).extracting(CheckResult::name).containsExactly("haproxy:remote-2", "haproxy:remote-3");
  }

  @Test
  void noHaproxyConfiguredIsVisibleButPasses() {
    SwitchoverDecision d = SwitchoverChecks.evaluate(primary, List.of(replica(R1, "0-1-100").build()), R1,
        LIMITS, Map.of());
    assertThat(d.approved()).isTrue();
    assertThat(d.report().checks()).last().extracting(CheckResult::name, CheckResult::detail)
        .containsExactly("haproxy", "no remote HAProxy configured");
  }

  @Test
  void reportKeepsEveryFailureButRefusesOnTheFirst() {
    SwitchoverDecision d = decideOne(replica(R1, "0-1-100,3-8-1").ddl().rule(PromotionRule.MUST_NOT));
    assertThat(d.failureType()).isEqualTo(FailureType.DDL_RUNNING);
    assertThat(d.report().failures()).extracting(CheckResult::failureType).containsExactly(
        FailureType.DDL_RUNNING, FailureType.ERRANT_GTID, FailureType.PROMOTION_RULE_FORBIDS);
  }

  @Test
  void choosesBestEligibleWhenNoCandidateNamed() {
    List<InstanceSnapshot> replicas = List.of(
        replica(R1, "0-1-100").rule(PromotionRule.MUST_NOT).build(),
        replica(R2, "0-1-99").lag(0L, 9.0).build(),
        replica(R3, "0-1-98").build());
    SwitchoverDecision d = decide(primary, replicas, null);
    assertThat(d.approved()).isTrue();
    assertThat(d.candidate()).isEqualTo(R3);
    assertThat(d.report().checks().get(1)).extracting(CheckResult::name, CheckResult::passed)
        .containsExactly("candidate-selection", true);
    assertThat(d.report().checks().get(1).detail()).contains("chose 127.0.0.1:3310", "eligible 127.0.0.1:3310");
  }

  @Test
  void noEligibleCandidateListsWhyForEachReplica() {
    List<InstanceSnapshot> replicas = List.of(
        replica(R1, "0-1-100").rule(PromotionRule.MUST_NOT).build(),
        replica(R2, "0-1-99").lag(0L, 9.0).build(),
        replica(R3, "").unreachable("Connection refused").build());
    SwitchoverDecision d = decide(primary, replicas, null);
    assertRefused(d, FailureType.NO_ELIGIBLE_CANDIDATE, "no replica of primary 127.0.0.1:3307 can be promoted",
        "127.0.0.1:3308 (PromotionRuleForbids", "127.0.0.1:3309 (CandidateLagging", "127.0.0.1:3310 (CandidateUnreachable");
    assertThat(d.candidate()).isNull();
  }

  @Test
  void noReplicasAtAll() {
    assertRefused(decide(primary, List.of(), null), FailureType.NO_ELIGIBLE_CANDIDATE, "it has no replicas");
  }

  @Test
  void primaryListedAmongReplicasIsIgnored() {
    SwitchoverDecision d = decide(primary, List.of(primary, replica(R1, "0-1-100").build()), null);
    assertThat(d.candidate()).isEqualTo(R1);
    assertThat(d.approved()).isTrue();
  }

  @Test
  void mysqlErrantCandidate() {
    String a = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
    String b = "8a94f357-aab4-11df-86ab-c80aa9429563";
    InstanceSnapshot p = primary(P, a + ":1-100").mysql(a).build();
    InstanceSnapshot c = replica(R1, a + ":1-100,\n" + b + ":1-2").mysql(b).build();
    assertRefused(decide(p, List.of(c), R1), FailureType.ERRANT_GTID, "lacks: " + b + ":1-2");
    InstanceSnapshot ok = replica(R1, a + ":1-97").mysql(b).build();
    assertThat(decide(p, List.of(ok), R1).approved()).isTrue();
  }

  @Test
  void unparseableGtidRefusesAsErrant() {
    assertRefused(decideOne(replica(R1, "garbage")), FailureType.ERRANT_GTID, "cannot compare the GTID sets");
  }

  private static void assertRefused(SwitchoverDecision d, FailureType type, String... detailParts) {
    assertThat(d.approved()).as("approved").isFalse();
    assertThat(d.failureType()).isEqualTo(type);
    assertThat(d.detail()).contains(detailParts);
    assertThat(d.report().allPassed()).isFalse();
    assertThat(d.report().firstFailure()).hasValueSatisfying(f -> {
      assertThat(f.failureType()).isEqualTo(type);
      assertThat(f.detail()).isEqualTo(d.detail());
    });
  }
}
