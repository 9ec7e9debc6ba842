package dev.handoff.planning;

import static dev.handoff.domain.TemporalJson.roundTrip;
import static dev.handoff.planning.Fixture.P;
import static dev.handoff.planning.Fixture.R1;
import static dev.handoff.planning.Fixture.R2;
import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.domain.Flavor;
import dev.handoff.domain.PromotionRule;
import dev.handoff.domain.Topology;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Planning results cross workflow/activity boundaries: they must survive Temporal's data converter. */
class PlanningJsonTest {

  @Test
  void decisionsAndReports() {
    SwitchoverDecision approved = SwitchoverChecks.evaluate(Fixture.primary(P, "0-1-5").build(),
        List.of(Fixture.replica(R1, "0-1-5").build()), null, new SwitchoverLimits(5, 60), Map.of("h", true));
    assertThat(roundTrip(approved)).isEqualTo(approved);
    SwitchoverDecision refused = SwitchoverChecks.evaluate(Fixture.primary(P, "0-1-5").build(),
        List.of(Fixture.replica(R1, "0-1-5").ddl().build()), R1, new SwitchoverLimits(5, 60), Map.of("h", false));
    assertThat(roundTrip(refused)).isEqualTo(refused);
    assertThat(roundTrip(new CheckResult("x", true, null, null))).isEqualTo(new CheckResult("x", true, null, null));
  }

  @Test
  void unplannedChoice() {
    RecoveryChoice c = CandidateSelector.chooseUnplanned(List.of(
        Fixture.replica(R1, "0-1-9").rule(PromotionRule.MUST_NOT).build(), Fixture.replica(R2, "0-1-5").build()), null);
    assertThat(c.anotherReplicaAhead()).isTrue();
    assertThat(roundTrip(c)).isEqualTo(c);
  }

  @Test
  void plansAndDetection() {
    RunbookPlan plan = RunbookPlan.switchover(new Topology("main", P, List.of(R1), 1), R1);
    assertThat(roundTrip(plan)).isEqualTo(plan);
    DetectionInput in = DetectionInput.primaryDown(4, P, "refused", Flavor.MARIADB, List.of(Fixture.view(R1, "0-1-1",
        Fixture.status(P, "Connecting", "Yes", "bin.000001", 400, 400, 3, "0-1-1", "err"), 0.3, null)));
    assertThat(roundTrip(in)).isEqualTo(in);
    DetectionResult r = DetectionAnalyzer.analyze(in, new DetectionLimits(30, 10));
    assertThat(roundTrip(r)).isEqualTo(r);
    assertThat(roundTrip(new SwitchoverLimits(2.5, 30))).isEqualTo(new SwitchoverLimits(2.5, 30));
    assertThat(roundTrip(new DetectionLimits(2.5, 30))).isEqualTo(new DetectionLimits(2.5, 30));
  }
}
