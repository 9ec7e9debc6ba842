package dev.handoff.worker.alerts;

/**
 * Asks the watch workflow of one cluster to probe now. The watch decides what happens next: an alert
 * alone never promotes anything.
 */
@FunctionalInterface
public interface ProbeRequester {

  /**
   * Requests a probe of {@code cluster}; {@code reason} is free text recorded by the watch (never a secret).
   * Throws when the workflow engine could not be reached.
   */
  void probeNow(String cluster, String reason) throws Exception;
}
