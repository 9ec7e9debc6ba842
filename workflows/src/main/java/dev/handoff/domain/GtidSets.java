package dev.handoff.domain;

/** What the two flavors' GTID sets share. */
final class GtidSets {
  private GtidSets() {}

  /** {@code other} as a set of this flavor's type; a set of the other flavor cannot be compared. */
  static <T extends GtidSet> T sameFlavor(Class<T> type, String flavorName, GtidSet other) {
    if (type.isInstance(other)) {
      return type.cast(other);
    }
    throw new IllegalArgumentException(
        "cannot compare the " + flavorName + " GTID set with a " + other.flavor() + " one: " + other);
  }
}
