package dev.handoff.planning;

import dev.handoff.domain.FailureType;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.handoff.domain.InstanceKey;

/**
 * Result of planned-switchover pre-checks: go with {@code candidate}, or refuse with a stable
 * failure type and a message naming the instance and what to do.
 *
 * @param approved true when every check passed
 * @param candidate the chosen (or requested) candidate; null when none could be chosen
 * @param report every check that was run
 * @param failureType the first failure's type, null when approved
 * @param detail the first failure's message, or a summary when approved
 */
public record SwitchoverDecision(
    boolean approved, InstanceKey candidate, PreCheckReport report, FailureType failureType, String detail) {

  public SwitchoverDecision {
    report = report == null ? new PreCheckReport(null) : report;
  }

  /** Builds the decision a report implies: approved iff all passed, else its first failure. */
  static SwitchoverDecision of(InstanceKey candidate, PreCheckReport report) {
    return report.firstFailure()
        .map(f -> new SwitchoverDecision(false, candidate, report, f.failureType(), f.detail()))
        .orElseGet(() -> new SwitchoverDecision(true, candidate, report, null,
            "all " + report.checks().size() + " pre-checks passed for candidate " + candidate));
  }

  /** The opposite of approved. */
  @JsonIgnore
  public boolean refused() {
    return !approved;
  }
}
