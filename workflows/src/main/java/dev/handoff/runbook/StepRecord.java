package dev.handoff.runbook;

/**
 * One finished step of a runbook: its name, how it ended, what it found, how long it took, and when it ended
 * (epoch milliseconds, the workflow's clock; 0 in results recorded before it was kept), so a benchmark can
 * place each step of the critical path on the clock of the failure it measures.
 */
public record StepRecord(String name, StepOutcome outcome, String detail, long millis, long endedAtMillis) {}
