package dev.handoff.runbook;

/** One finished step of a runbook: its name, how it ended, what it found, and how long it took. */
public record StepRecord(String name, StepOutcome outcome, String detail, long millis) {}
