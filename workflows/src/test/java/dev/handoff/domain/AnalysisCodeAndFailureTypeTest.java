package dev.handoff.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class AnalysisCodeAndFailureTypeTest {

  @Test
  void analysisCodesHaveStableCamelCaseNames() {
    assertThat(Arrays.stream(AnalysisCode.values()).map(AnalysisCode::wireName)).containsExactly(
        "NoProblem", "DeadPrimary", "UnreachablePrimary", "AllReplicasStopped", "ReplicaLagging", "ErrantGtid",
        "NoWritablePrimary", "MultipleWritable", "SemiSyncDegraded", "DetectionBlind");
    assertThat(AnalysisCode.fromString("DeadPrimary")).isEqualTo(AnalysisCode.DEAD_PRIMARY);
    assertThat(AnalysisCode.fromString("DEAD_PRIMARY")).isEqualTo(AnalysisCode.DEAD_PRIMARY);
    assertThat(AnalysisCode.UNREACHABLE_PRIMARY).hasToString("UnreachablePrimary");
    assertThat(AnalysisCode.DEAD_PRIMARY.triggersFailover()).isTrue();
    assertThat(Arrays.stream(AnalysisCode.values()).filter(AnalysisCode::triggersFailover))
        .containsExactly(AnalysisCode.DEAD_PRIMARY);
    assertThatThrownBy(() -> AnalysisCode.fromString("Dead")).hasMessageContaining("'Dead'");
  }

  @Test
  void failureTypesAreTheDocumentedNames() {
    assertThat(java.util.Arrays.stream(FailureType.values()).map(FailureType::wireName)).contains(
        "ErrantGtid", "CandidateLagging", "DdlRunning", "CandidateNotReplicating", "CandidateUnreachable",
        "UnknownInstance", "UnknownCluster", "LongRunningDml", "PromotionRuleForbids", "HaproxyUnreachable",
        "NoEligibleCandidate", "CandidateIsPrimary", "PrimaryUnreachable");
    assertThat(FailureType.fromWire("ErrantGtid")).isSameAs(FailureType.ERRANT_GTID);
    assertThat(FailureType.fromWire("Whatever")).isSameAs(FailureType.UNEXPECTED);
  }
}
