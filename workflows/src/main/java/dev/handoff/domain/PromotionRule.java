package dev.handoff.domain;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.Locale;

/** Operator's say on which replica may become primary; spelled "prefer", "neutral", "must_not" in config. */
public enum PromotionRule implements WireNamed {
  PREFER(0),
  NEUTRAL(1),
  MUST_NOT(Integer.MAX_VALUE);

  private final int rank;

  PromotionRule(int rank) {
    this.rank = rank;
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
      if (r.wireName().equals(s)) {
        return r;
      }
    }
    throw new IllegalArgumentException(
        "promotion rule must be prefer, neutral or must_not, got '" + text + "'");
  }

  @Override
  public String toString() {
    return wireName();
  }
}
