package dev.handoff.switchover;

import dev.handoff.domain.InstanceKey;

/**
 * A planned switchover of {@code cluster} to {@code candidate} (null: the best replica). With
 * {@code dryRun} the runbook runs the pre-checks and returns the plan, changing nothing.
 */
public record SwitchoverRequest(String cluster, InstanceKey candidate, boolean dryRun) {}
