package dev.handoff.runbook;

/** One finished step of a runbook: its name, how it ended, what it found, and how long it took. */
public record StepRecord(String name, String outcome, String detail, long millis) {
  public static final String DONE = "done";
  public static final String FAILED = "failed";
  public static final String COMPENSATED = "rolled back";
}
