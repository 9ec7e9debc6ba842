package dev.handoff.domain;

/** How one GTID set stands to another, so callers can say "ahead" or "behind" without two subset calls. */
public enum GtidRelation {
  /** Both contain each other. */
  EQUAL,
  /** This contains the other and has more. */
  AHEAD,
  /** The other contains this and has more. */
  BEHIND,
  /** Each has transactions the other lacks: histories diverged (errant transactions somewhere). */
  DIVERGED
}
