package dev.handoff.lab;

import dev.handoff.runbook.RunbookProgress;
import dev.handoff.runbook.StepOutcome;
import dev.handoff.runbook.StepRecord;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;

/**
 * When a runbook started and when its steps ended: the clock a kill-to-recovery or freeze-to-recovery figure
 * is read on. The steps' ends come from the runbook's own step records (the workflow's clock), which hold for
 * steps run as local activities, whose history has no completion event of their own.
 */
public final class RunbookTimes {
  private RunbookTimes() {}

  /** When the workflow's latest run started (epoch millis, the server's clock). */
  public static long startedAt(WorkflowClient client, String workflowId) {
    return millis(client.fetchHistory(workflowId).getEvents().get(0));
  }

  /**
   * When the first successful run of the step named {@code step} (e.g. {@code promote}) ended, epoch millis on
   * the workflow's clock; -1 when no such step finished (or the result predates the recorded ends).
   */
  public static long endedAt(RunbookProgress progress, String step) {
    if (progress == null) {
      return -1;
    }
    return progress.steps().stream().filter(r -> r.name().equals(step) && r.outcome() == StepOutcome.DONE)
        .mapToLong(StepRecord::endedAtMillis).filter(t -> t > 0).findFirst().orElse(-1);
  }

  private static long millis(HistoryEvent e) {
    return e.getEventTime().getSeconds() * 1000 + e.getEventTime().getNanos() / 1_000_000;
  }
}
