package dev.handoff.domain;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * An immutable set of executed/received transactions, parsed from what a server returns, so that
 * subset ("no errant transactions") and "most advanced" decisions are computed in one place per flavor.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "flavor")
@JsonSubTypes({
  @JsonSubTypes.Type(value = MariaDbGtidSet.class, name = "MARIADB"),
  @JsonSubTypes.Type(value = MySqlGtidSet.class, name = "MYSQL")
})
public sealed interface GtidSet permits MariaDbGtidSet, MySqlGtidSet {

  /** Parses a server's GTID string for the given flavor; null or blank is the empty set. */
  static GtidSet parse(Flavor flavor, String text) {
    if (flavor == null) {
      throw new IllegalArgumentException("cannot parse GTID set '" + text + "' without a flavor");
    }
    return switch (flavor) {
      case MARIADB -> MariaDbGtidSet.parse(text);
      case MYSQL -> MySqlGtidSet.parse(text);
    };
  }

  /** The empty set of the given flavor. */
  static GtidSet empty(Flavor flavor) {
    return parse(flavor, "");
  }

  /** The flavor whose format this set uses. */
  @JsonIgnore
  Flavor flavor();

  /** True when the set holds no transaction. */
  @JsonIgnore
  boolean isEmpty();

  /** True when every transaction of {@code other} is in this set; other must have the same flavor. */
  boolean contains(GtidSet other);

  /** True when every transaction of this set is in {@code other}. */
  default boolean isSubsetOf(GtidSet other) {
    return other.contains(this);
  }

  /**
   * What this set has that {@code other} lacks. For MariaDB this lists this set's positions in the
   * domains where it is ahead (a position set cannot name single transactions).
   */
  GtidSet subtract(GtidSet other);

  /** Everything either set holds (for MariaDB: per domain, the further position). */
  GtidSet union(GtidSet other);

  /** Number of transactions covered (MariaDB: sum of per-domain seq numbers); grows with containment. */
  long transactionCount();

  /**
   * The part of this set originated by one server: MariaDB server_id (decimal string), MySQL server_uuid.
   * Used to tell a replica's own (errant) writes from transactions it replicated.
   */
  GtidSet originatedBy(String origin);

  /** Compares two sets: EQUAL, AHEAD, BEHIND or DIVERGED. */
  default GtidRelation relationTo(GtidSet other) {
    boolean mine = contains(other);
    boolean theirs = other.contains(this);
    if (mine && theirs) {
      return GtidRelation.EQUAL;
    }
    if (mine) {
      return GtidRelation.AHEAD;
    }
    return theirs ? GtidRelation.BEHIND : GtidRelation.DIVERGED;
  }
}
