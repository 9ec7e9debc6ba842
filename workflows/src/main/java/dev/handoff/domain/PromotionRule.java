package dev.handoff.domain;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Operator's say on which replica may become primary; spelled "prefer", "neutral", "must_not" in config. */
public enum PromotionRule {
  PREFER("prefer", 0),
  NEUTRAL("neutral", 1),
  MUST_NOT("must_not", Integer.MAX_VALUE);

  private final String configName;
  private final int rank;

  PromotionRule(String configName, int rank) {
    this.configName = configName;
    this.rank = rank;
  }

  /** The config/wire spelling. */
  @JsonValue
  public String configName() {
    return configName;
  }

  /** Lower ranks first: prefer (0) before neutral (1); must_not is last and never promotable. */
  public int rank() {
    return rank;
  }

  /** False only for must_not. */
  public boolean promotable() {
    return this != MUST_NOT;
  }

  /** Parses the config spelling (case-insensitive, "-" accepted for "_"); names the bad value otherwise. */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static PromotionRule fromString(String text) {
    String s = text == null ? "" : text.strip().toLowerCase(Locale.ROOT).replace('-', '_');
    for (PromotionRule r : values()) {
      if (r.configName.equals(s)) {
        return r;
      }
    }
    throw new IllegalArgumentException(
        "promotion rule must be prefer, neutral or must_not, got '" + text + "'");
  }

  @Override
  public String toString() {
    return configName;
  }
}
