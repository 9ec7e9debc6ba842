package dev.handoff.runbook;

import dev.handoff.domain.WireNamed;

/**
 * What an operator tells a runbook that waits after a failed step: {@code retry} runs the failed step again,
 * {@code abandon} ends the runbook, which lists the steps left to do by hand.
 */
public enum OperatorDecision implements WireNamed {
  RETRY,
  ABANDON
}
