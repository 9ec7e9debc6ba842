package dev.handoff.runbook;

import dev.handoff.domain.WireNamed;

/** How a recorded step ended; its wire name is lower case ({@code done}). */
public enum StepOutcome implements WireNamed {
  DONE,
  FAILED,
  /** The rollback of a switchover: the steps before the failed one were undone. */
  ROLLED_BACK
}
