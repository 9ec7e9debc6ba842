package dev.handoff.runbook;

import dev.handoff.runbook.StepRecord;
import java.util.List;

/**
 * The state of a failover runbook (planned or unplanned), as its progress query and its result report it.
 *
 * @param state RUNNING; COMPLETED; DRY_RUN; REFUSED (a pre-check or the dead-primary confirmation
 *     failed, nothing changed); ROLLED_BACK; ROLLBACK_FAILED (an undo failed too: the operator repairs what
 *     it names); FENCE_FAILED and FAILED_BEFORE_PROMOTION (unplanned: nothing promoted);
 *     WAITING_FOR_OPERATOR (a step after promotion failed: retry or abandon); ABANDONED; or
 *     FAILED_AFTER_PROMOTION (no operator decision in time)
 */
public record RunbookProgress(
    String cluster,
    String state,
    String currentStep,
    String oldPrimary,
    String newPrimary,
    List<StepRecord> steps,
    String plan,
    String failureType,
    String detail) {

  public static final String RUNNING = "RUNNING";
  public static final String COMPLETED = "COMPLETED";
  public static final String DRY_RUN = "DRY_RUN";
  public static final String REFUSED = "REFUSED";
  public static final String ROLLED_BACK = "ROLLED_BACK";
  public static final String ROLLBACK_FAILED = "ROLLBACK_FAILED";
  /** Unplanned: the dead primary could not be fenced everywhere, so nothing was promoted. */
  public static final String FENCE_FAILED = "FENCE_FAILED";
  /** Unplanned: fenced, but no candidate could be promoted (none eligible, or it could not catch up). */
  public static final String FAILED_BEFORE_PROMOTION = "FAILED_BEFORE_PROMOTION";
  public static final String FAILED_AFTER_PROMOTION = "FAILED_AFTER_PROMOTION";
  /** A step after promotion keeps failing: waiting for ./handoff failover retry|abandon. */
  public static final String WAITING_FOR_OPERATOR = "WAITING_FOR_OPERATOR";
  /** An operator abandoned a stuck runbook; its detail lists the steps left to do by hand. */
  public static final String ABANDONED = "ABANDONED";
}
