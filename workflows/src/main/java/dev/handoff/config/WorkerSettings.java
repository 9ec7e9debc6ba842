package dev.handoff.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Settings of the worker process itself.
 *
 * @param sourceAddress local address the worker's database connections come from (default: the
 *     system's choice); set when the worker host has several and only one is routed to the databases
 * @param alertsListen host:port of the alert webhook endpoint (Alertmanager and plain JSON); none by default
 * @param alertsToken the shared token a webhook call must present as "Authorization: Bearer TOKEN"
 * @param watch whether the worker starts the watch of every configured cluster (default true)
 * @param cooldownSeconds after an automatic recovery, how long further ones are blocked unless acknowledged
 * @param detection where failure detection runs: {@code workers} (the default: a loop in every worker) or
 *     {@code activity} (the first design: one detector activity per cluster); see {@link DetectionMode}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WorkerSettings(String sourceAddress, String alertsListen, SecretRef alertsToken, Boolean watch,
    Long cooldownSeconds, String detection) {
  public WorkerSettings {
    watch = watch == null ? Boolean.TRUE : watch;
    cooldownSeconds = cooldownSeconds == null ? 3600L : cooldownSeconds;
    detection = detection == null ? DetectionMode.WORKERS.wireName() : detection;
  }

  public WorkerSettings(String sourceAddress, String alertsListen, SecretRef alertsToken, Boolean watch,
      Long cooldownSeconds) {
    this(sourceAddress, alertsListen, alertsToken, watch, cooldownSeconds, null);
  }

  public static WorkerSettings defaults() {
    return new WorkerSettings(null, null, null, null, null, null);
  }

  /** Where detection runs; a validated configuration names one of {@link DetectionMode}'s. */
  public DetectionMode detectionMode() {
    for (DetectionMode m : DetectionMode.values()) {
      if (m.wireName().equals(detection)) {
        return m;
      }
    }
    throw new ConfigException(badDetection());
  }

  private String badDetection() {
    return "worker.detection: expected workers or activity, got " + detection;
  }

  void validate(List<String> errors) {
    if (sourceAddress != null && !sourceAddress.matches("[0-9a-fA-F.:]+")) {
      errors.add("worker.sourceAddress: expected an IP address, got " + sourceAddress);
    }
    if (alertsListen != null) {
      if (!alertsListen.matches("[^:\\s]+:\\d{1,5}")) {
        errors.add("worker.alertsListen: expected host:port, got " + alertsListen);
      }
      if (alertsToken == null) {
        errors.add("worker.alertsToken: required with alertsListen, as {env: VARIABLE} or {file: PATH}");
      }
    }
    if (alertsToken != null) {
      alertsToken.validate("worker.alertsToken", errors);
    }
    try {
      detectionMode();
    } catch (ConfigException e) {
      errors.add(e.getMessage());
    }
    if (cooldownSeconds < 0) {
      errors.add("worker.cooldownSeconds: must be 0 or more, got " + cooldownSeconds);
    }
  }
}
