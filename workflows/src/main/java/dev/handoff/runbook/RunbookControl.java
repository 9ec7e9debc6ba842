package dev.handoff.runbook;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;

/**
 * What every runbook (a switchover or a recovery, under workflow ID {@code failover-<cluster>}) answers,
 * whichever it is: its progress, and an operator's decision when it waits after a failed step.
 */
public interface RunbookControl {
  /** Where the runbook stands: its state, the step running now, what each finished step found. */
  @QueryMethod
  RunbookProgress progress();

  /**
   * An operator's decision for a runbook waiting after a failed step ({@code ./handoff runbook retry} and
   * {@code abandon} send it). Returns the decision taken and what the runbook waited after.
   */
  @UpdateMethod
  DecisionTaken decision(OperatorDecision decision);

  /** Refuses the decision, to the caller and with nothing changed, unless the runbook waits for one now. */
  @UpdateValidatorMethod(updateName = "decision")
  void checkDecision(OperatorDecision decision);
}
