package dev.handoff.lab;

import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import java.util.HashMap;
import java.util.Map;

/** When a runbook's steps finished, read from its history: the clock a freeze-to-recovery figure is read on. */
public final class RunbookTimes {
  private RunbookTimes() {}

  /** When the workflow's latest run started (epoch millis, the server's clock). */
  public static long startedAt(WorkflowClient client, String workflowId) {
    return millis(client.fetchHistory(workflowId).getEvents().get(0));
  }

  /**
   * The wall-clock time (epoch millis, the server's clock) at which the first successful run of
   * {@code activityType} (e.g. {@code Promote}, {@code PublishTopology}) in the workflow's latest run
   * completed; -1 when none completed.
   */
  public static long completedAt(WorkflowClient client, String workflowId, String activityType) {
    Map<Long, String> scheduled = new HashMap<>();
    for (HistoryEvent e : client.fetchHistory(workflowId).getEvents()) {
      if (e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
        scheduled.put(e.getEventId(), e.getActivityTaskScheduledEventAttributes().getActivityType().getName());
      } else if (e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED
          && activityType.equals(scheduled.get(e.getActivityTaskCompletedEventAttributes().getScheduledEventId()))) {
        return millis(e);
      }
    }
    return -1;
  }

  private static long millis(HistoryEvent e) {
    return e.getEventTime().getSeconds() * 1000 + e.getEventTime().getNanos() / 1_000_000;
  }
}
