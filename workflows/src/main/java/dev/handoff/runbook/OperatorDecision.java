package dev.handoff.runbook;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * What an operator tells a runbook that waits after a failed step: {@code retry} runs the failed step again,
 * {@code abandon} ends the runbook, which lists the steps left to do by hand. The wire name is the CLI's word.
 */
public enum OperatorDecision {
  RETRY,
  ABANDON;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Accepts the wire name ("retry") or the constant name ("RETRY"); anything else names the choices. */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static OperatorDecision fromString(String text) {
    for (OperatorDecision d : values()) {
      if (d.wireName().equals(text) || d.name().equals(text)) {
        return d;
      }
    }
    throw new IllegalArgumentException("unknown operator decision '" + text + "': send retry or abandon");
  }

  @Override
  public String toString() {
    return wireName();
  }
}
