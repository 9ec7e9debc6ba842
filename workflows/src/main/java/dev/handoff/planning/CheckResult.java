package dev.handoff.planning;

import dev.handoff.domain.FailureType;

/**
 * Outcome of one pre-check, kept even when it passed so the operator sees what was verified.
 *
 * @param name stable check name, e.g. "candidate-lag" or "haproxy:remote-1"
 * @param passed whether it passed
 * @param failureType why it failed, null when passed
 * @param detail what was seen; on failure, also what to do
 */
public record CheckResult(String name, boolean passed, FailureType failureType, String detail) {

  /** A passed check. */
  public static CheckResult pass(String name, String detail) {
    return new CheckResult(name, true, null, detail);
  }

  /** A failed check with its stable failure type. */
  public static CheckResult fail(String name, FailureType failureType, String detail) {
    return new CheckResult(name, false, failureType, detail);
  }
}
