package dev.handoff.planning;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.domain.AnalysisCode;
import org.junit.jupiter.api.Test;

class ReportPolicyTest {
  private static final long GAP = 5_000;
  private final ReportPolicy policy = new ReportPolicy(2, GAP);

  /** Observes {@code code} at {@code now}; sends it when the policy says so; returns whether it did. */
  private boolean probe(AnalysisCode code, long now) {
    int confirmations = policy.observe(code, now);
    if (confirmations > 0) {
      policy.sent(code, now);
    }
    return confirmations > 0;
  }

  @Test
  void aHealthyClusterIsReportedOnceAndThenCostsNothing() {
    assertThat(probe(AnalysisCode.NO_PROBLEM, 0)).as("a new detector reports what it sees").isTrue();
    for (long t = 1_000; t <= 3_600_000; t += 1_000) {
      assertThat(probe(AnalysisCode.NO_PROBLEM, t)).as("healthy at %d ms", t).isFalse();
    }
  }

  @Test
  void aDeadPrimaryIsReportedOnlyOnceConfirmedAndOnlyOnce() {
    probe(AnalysisCode.NO_PROBLEM, 0);
    assertThat(policy.observe(AnalysisCode.DEAD_PRIMARY, 10_000)).as("one sighting is not enough").isZero();
    assertThat(policy.confirming()).isTrue();
    assertThat(policy.observe(AnalysisCode.DEAD_PRIMARY, 10_100)).as("the second in a row confirms").isEqualTo(2);
    policy.sent(AnalysisCode.DEAD_PRIMARY, 10_100);
    assertThat(policy.confirming()).isFalse();
    assertThat(probe(AnalysisCode.DEAD_PRIMARY, 10_200)).as("not again while it stands").isFalse();
  }

  @Test
  void aDeadPrimarySeenOnceBetweenHealthyProbesIsNeverReported() {
    probe(AnalysisCode.NO_PROBLEM, 0);
    assertThat(probe(AnalysisCode.DEAD_PRIMARY, 10_000)).isFalse();
    assertThat(probe(AnalysisCode.NO_PROBLEM, 10_100)).isFalse();
    assertThat(probe(AnalysisCode.DEAD_PRIMARY, 10_200)).as("the count starts again").isFalse();
  }

  @Test
  void aReportThatFailedGoesAgainOnTheNextProbe() {
    assertThat(policy.observe(AnalysisCode.NO_PROBLEM, 0)).isEqualTo(1);
    // not sent: Temporal did not answer
    assertThat(policy.observe(AnalysisCode.NO_PROBLEM, 1_000)).isEqualTo(1);
    policy.observe(AnalysisCode.DEAD_PRIMARY, 2_000);
    assertThat(policy.observe(AnalysisCode.DEAD_PRIMARY, 2_100)).isEqualTo(2);
    assertThat(policy.observe(AnalysisCode.DEAD_PRIMARY, 2_200)).as("still unsent: again").isEqualTo(3);
  }

  @Test
  void analysesThatCallForNothingAreRateLimitedButEndUpReported() {
    probe(AnalysisCode.NO_PROBLEM, 0);
    assertThat(probe(AnalysisCode.REPLICA_LAGGING, 10_000)).isTrue();
    assertThat(probe(AnalysisCode.NO_PROBLEM, 11_000)).as("flapping back within the gap").isFalse();
    assertThat(probe(AnalysisCode.REPLICA_LAGGING, 12_000)).as("same as last sent").isFalse();
    assertThat(probe(AnalysisCode.NO_PROBLEM, 13_000)).isFalse();
    assertThat(probe(AnalysisCode.NO_PROBLEM, 15_000)).as("the gap passed: the change goes").isTrue();
  }

  @Test
  void analysesThatCallForActionAndTheFirstAfterThemGoAtOnce() {
    probe(AnalysisCode.NO_PROBLEM, 0);
    assertThat(probe(AnalysisCode.REPLICA_LAGGING, 10_000)).isTrue();
    assertThat(probe(AnalysisCode.MULTIPLE_WRITABLE, 10_100)).isTrue();
    assertThat(probe(AnalysisCode.NO_PROBLEM, 10_200)).as("the problem is gone: the watch hears it now").isTrue();
    assertThat(probe(AnalysisCode.NO_WRITABLE_PRIMARY, 10_300)).isTrue();
  }

  @Test
  void whatCallsForAction() {
    assertThat(ReportPolicy.callsForAction(AnalysisCode.DEAD_PRIMARY)).isTrue();
    assertThat(ReportPolicy.callsForAction(AnalysisCode.NO_WRITABLE_PRIMARY)).isTrue();
    assertThat(ReportPolicy.callsForAction(AnalysisCode.MULTIPLE_WRITABLE)).isTrue();
    assertThat(ReportPolicy.callsForAction(AnalysisCode.UNREACHABLE_PRIMARY)).isFalse();
    assertThat(ReportPolicy.callsForAction(AnalysisCode.DETECTION_BLIND)).isFalse();
  }
}
