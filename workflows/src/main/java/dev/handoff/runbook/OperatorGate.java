package dev.handoff.runbook;

import io.temporal.workflow.Workflow;
import java.time.Duration;

/**
 * Where a runbook that cannot go on waits for an operator: {@code retry} runs the failed step again,
 * {@code abandon} ends the runbook, which then says what is left to do by hand. Workflow-side only.
 */
public final class OperatorGate {
  /** How long a stuck runbook waits for a decision before it ends as failed. */
  public static final Duration WAIT = Duration.ofHours(24);

  private OperatorDecision decision;
  private boolean waiting;

  /** Records a decision the runbook's validator accepted. */
  public void decide(OperatorDecision d) {
    decision = d;
  }

  /** Whether a decision would be taken now: the runbook waits for one and has none yet. */
  public boolean accepts() {
    return waiting && decision == null;
  }

  /** Waits for the next decision; null when none came in time. */
  public OperatorDecision await() {
    decision = null;
    waiting = true;
    try {
      Workflow.await(WAIT, () -> decision != null);
    } finally {
      waiting = false;
    }
    return decision;
  }
}
