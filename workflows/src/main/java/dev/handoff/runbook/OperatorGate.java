package dev.handoff.runbook;

import io.temporal.workflow.Workflow;
import java.time.Duration;

/**
 * Where a runbook that cannot go on waits for an operator: {@code retry} runs the failed step again,
 * {@code abandon} ends the runbook, which then says what is left to do by hand. Workflow-side only.
 */
public final class OperatorGate {
  public static final String RETRY = "retry";
  public static final String ABANDON = "abandon";
  /** How long a stuck runbook waits for a decision before it ends as failed. */
  public static final Duration WAIT = Duration.ofHours(24);

  private String decision;
  private boolean waiting;

  /**
   * Records a decision sent as a signal (the form older runs and their histories know); anything but retry or
   * abandon is ignored, and so is one sent while the runbook does not wait.
   */
  public void decide(String d) {
    if (RETRY.equals(d) || ABANDON.equals(d)) {
      decision = d;
    }
  }

  /** Whether a decision would be taken now: the runbook waits for one and has none yet. */
  public boolean accepts() {
    return waiting && decision == null;
  }

  /** Waits for the next decision; null when none came in time. */
  public String await() {
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
