package dev.handoff.runbook;

import dev.handoff.domain.WireNamed;

/**
 * Where a runbook (switchover or recovery) stands, as its progress query and its result report it. The wire
 * name is the constant's own name ({@code COMPLETED}), as the CLI prints it.
 */
public enum RunbookState implements WireNamed {
  RUNNING,
  COMPLETED,
  /** {@code --dry-run}: the pre-checks passed and the plan was printed; nothing changed. */
  DRY_RUN,
  /** A pre-check or the dead-primary confirmation failed: nothing changed. */
  REFUSED,
  /** A step before the point of no return failed and every change was undone. */
  ROLLED_BACK,
  /** A step failed and an undo failed too: the operator repairs what it names. */
  ROLLBACK_FAILED,
  /** Recovery: the dead primary could not be fenced everywhere, so nothing was promoted. */
  FENCE_FAILED,
  /** Recovery: fenced, but no candidate could be promoted (none eligible, or it could not catch up). */
  FAILED_BEFORE_PROMOTION,
  /** A step after the promotion failed and no operator decided in time. */
  FAILED_AFTER_PROMOTION,
  /** A step after the promotion keeps failing: waiting for the operator to retry or abandon it. */
  WAITING_FOR_OPERATOR,
  /** An operator abandoned a stuck runbook; its detail lists the steps left to do by hand. */
  ABANDONED;

  @Override
  public String wireName() {
    return name();
  }
}
