package dev.handoff.runbook;

import dev.handoff.domain.FailureType;
import java.util.List;

/**
 * Where a runbook (a switchover or a recovery) stands, as its progress query and its result report it.
 *
 * @param state where it stands
 * @param failureType why it failed, refused or waits; null while all goes well
 */
public record RunbookProgress(
    String cluster,
    RunbookState state,
    String currentStep,
    String oldPrimary,
    String newPrimary,
    List<StepRecord> steps,
    String plan,
    FailureType failureType,
    String detail) {
}
