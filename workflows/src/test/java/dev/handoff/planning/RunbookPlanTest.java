package dev.handoff.planning;

import static dev.handoff.planning.Fixture.P;
import static dev.handoff.planning.Fixture.R1;
import static dev.handoff.planning.Fixture.R2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.handoff.domain.Topology;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunbookPlanTest {
  private final Topology topology = new Topology("main", P, List.of(R1, R2), 7);

  @Test
  void plannedSwitchoverHasTheEightDesignSteps() {
    RunbookPlan plan = RunbookPlan.switchover(topology, R1);
    assertThat(plan.kind()).isEqualTo(RunbookPlan.Kind.SWITCHOVER);
    assertThat(plan.stepNames()).containsExactly("precheck", "move-replicas", "set-read-only-and-wait", "promote",
        "repoint-haproxy", "publish-topology", "restart-heartbeat", "rejoin-old-primary");
    assertThat(plan.steps()).extracting(RunbookPlan.Step::number).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
    assertThat(plan.pointOfNoReturn()).isEqualTo(RunbookPlan.PROMOTE);
    assertThat(plan.steps().get(1).description()).contains("move 127.0.0.1:3309 under 127.0.0.1:3308");
    assertThat(plan.steps().get(5).description()).contains("epoch 7 -> 8");
    assertThat(plan.steps().get(7).description()).isEqualTo("make 127.0.0.1:3307 a replica of 127.0.0.1:3308");
  }

  @Test
  void plannedWithoutCandidateSaysItIsChosenAtPrecheck() {
    RunbookPlan plan = RunbookPlan.switchover(topology, null);
    assertThat(plan.candidate()).isNull();
    assertThat(plan.steps().get(0).description()).startsWith("check the best eligible replica");
    assertThat(plan.render()).contains("to (chosen during the run)");
  }

  @Test
  void renderIsANumberedRunbook() {
    String text = RunbookPlan.switchover(topology, R1).render();
    assertThat(text).startsWith("Switchover of cluster main from 127.0.0.1:3307 to 127.0.0.1:3308\n");
    assertThat(text).contains(" 1. precheck ", " 8. rejoin-old-primary ", "up to and including 'promote' rolls back");
    assertThat(text.lines()).hasSize(10);
  }

  @Test
  void unplannedFailoverSteps() {
    RunbookPlan plan = RunbookPlan.recovery(topology, R2);
    assertThat(plan.stepNames()).containsExactly("confirm-dead", "stop-receiving", "fence-old-primary",
        "choose-candidate", "catch-up", "promote", "repoint-haproxy", "publish-topology", "move-replicas",
        "restart-heartbeat", "old-primary");
    assertThat(plan.render()).startsWith("Recovery of cluster main").contains("only goes forward", "cooldown");
  }

  @Test
  void refusesThePrimaryAsCandidateButNotAnInstanceMissingFromTheKvPool() {
    assertThatThrownBy(() -> RunbookPlan.switchover(topology, P)).hasMessageContaining("is already the primary");
    assertThatThrownBy(() -> RunbookPlan.recovery(topology, P)).hasMessageContaining("is already the primary");
    // Configured but not in the KV replica pool (e.g. repaired after an earlier failover): still a plan.
    assertThat(RunbookPlan.recovery(topology, Fixture.key(1)).candidate()).isEqualTo(Fixture.key(1));
  }
}
