package dev.handoff.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** Where the Temporal server is and which namespace and task queue Handoff uses. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TemporalSettings(String target, String namespace, String taskQueue, String webUi) {
  public static final String DEFAULT_NAMESPACE = "default";
  public static final String DEFAULT_TASK_QUEUE = "handoff";

  public TemporalSettings {
    namespace = namespace == null ? DEFAULT_NAMESPACE : namespace;
    taskQueue = taskQueue == null ? DEFAULT_TASK_QUEUE : taskQueue;
  }

  void validate(List<String> errors) {
    if (target == null || !target.matches("[^:\\s]+:\\d{1,5}")) {
      errors.add("temporal.target: expected host:port of the Temporal frontend, got " + target);
    }
  }
}
