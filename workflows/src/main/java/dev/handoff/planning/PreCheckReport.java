package dev.handoff.planning;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;
import java.util.Optional;

/** All pre-check results in the order they were run; the first failure is the reason for a refusal. */
public record PreCheckReport(List<CheckResult> checks) {

  public PreCheckReport {
    checks = checks == null ? List.of() : List.copyOf(checks);
  }

  /** True when every check passed (and there was at least one). */
  @JsonIgnore
  public boolean allPassed() {
    return !checks.isEmpty() && checks.stream().allMatch(CheckResult::passed);
  }

  /** The first failed check, if any. */
  @JsonIgnore
  public Optional<CheckResult> firstFailure() {
    return checks.stream().filter(c -> !c.passed()).findFirst();
  }

  /** Every failed check. */
  @JsonIgnore
  public List<CheckResult> failures() {
    return checks.stream().filter(c -> !c.passed()).toList();
  }
}
