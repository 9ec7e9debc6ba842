package dev.handoff.planning;

import dev.handoff.domain.FailureType;
import dev.handoff.domain.GtidSet;
import dev.handoff.domain.InstanceSnapshot;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Picks which replica to promote, deterministically, for both the planned and the unplanned path. */
public final class CandidateSelector {

  private CandidateSelector() {}

  /** Planned order: promotion rule (prefer first), most executed transactions, lowest lag, key string. */
  public static Comparator<InstanceSnapshot> plannedOrder() {
    return Comparator.<InstanceSnapshot>comparingInt(s -> s.promotionRule().rank())
        .thenComparing(Comparator.comparingLong(CandidateSelector::executedCount).reversed())
        .thenComparingDouble(s -> s.lagSeconds() == null ? Double.MAX_VALUE : s.lagSeconds())
        .thenComparing(s -> s.key().toString());
  }

  /** The best of replicas that already passed every candidate pre-check; null when the list is empty. */
  public static InstanceSnapshot choosePlanned(List<InstanceSnapshot> eligible) {
    return eligible.stream().filter(s -> s.promotionRule().promotable()).min(plannedOrder()).orElse(null);
  }

  /**
   * Picks the failover candidate among the replicas of a dead primary: most received transactions
   * (Gtid_IO_Pos / retrieved, plus executed), then most executed, then promotion rule, then key.
   * Excluded: unreachable, must_not, errant (own transactions that no other replica and not the
   * last-known primary position have), and replicas whose SQL thread stopped on an error (they cannot
   * apply their relay log).
   *
   * @param lastKnownPrimaryGtid the dead primary's last read executed set, null or "" when unknown
   */
  public static RecoveryChoice chooseUnplanned(List<InstanceSnapshot> replicas, String lastKnownPrimaryGtid) {
    return chooseUnplanned(replicas, lastKnownPrimaryGtid, Map.of());
  }

  /**
   * As {@link #chooseUnplanned(List, String)}, after the candidates in {@code gaveUp} (key string to why)
   * could not catch up: the next best in the same order. A replica given up on is no candidate, and offers
   * only what it executed (its binlog) to the next one, never its relay log.
   */
  public static RecoveryChoice chooseUnplanned(List<InstanceSnapshot> replicas, String lastKnownPrimaryGtid,
      Map<String, String> gaveUp) {
    Map<String, String> excluded = new TreeMap<>();
    List<Parsed> usable = usable(replicas, excluded, gaveUp);
    List<Parsed> sound = new ArrayList<>();
    for (Parsed p : usable) {
      GtidSet errant = errantOf(p, usable, lastKnownPrimaryGtid);
      if (errant.isEmpty()) {
        sound.add(p);
      } else {
        excluded.put(p.key(), ERRANT + errant);
      }
    }
    List<Parsed> eligible = new ArrayList<>();
    for (Parsed p : sound) {
      if (gaveUp.containsKey(p.key())) {
        excluded.put(p.key(), "could not catch up: " + gaveUp.get(p.key()));
      } else if (!p.state.promotionRule().promotable()) {
        excluded.put(p.key(), "promotion rule must_not");
      } else if (p.sqlBroken()) {
        excluded.put(p.key(), "SQL thread stopped on an error, it cannot apply its relay log ("
            + p.state.replication().lastSqlError().strip() + ")");
      } else {
        eligible.add(p);
      }
    }
    Parsed chosen = eligible.stream().min(unplannedOrder()).orElse(null);
    if (chosen == null) {
      return new RecoveryChoice(null, false, null, "", excluded, FailureType.NO_ELIGIBLE_CANDIDATE,
          "no replica can be promoted: " + (excluded.isEmpty() ? "there are no replicas"
              : excluded.entrySet().stream().map(e -> e.getKey() + " (" + e.getValue() + ")")
                  .collect(Collectors.joining("; "))));
    }
    Parsed ahead = null;
    GtidSet aheadBy = null;
    for (Parsed o : sound) {
      if (o == chosen) {
        continue;
      }
      GtidSet missing = o.available().subtract(chosen.received);
      if (!missing.isEmpty() && (ahead == null || aheadOrder().compare(o, ahead) < 0)) {
        ahead = o;
        aheadBy = missing;
      }
    }
    String detail = "chose " + chosen.key() + " (rule " + chosen.state.promotionRule() + ", received "
        + Format.orNone(chosen.received.toString()) + ")"
        + (ahead == null ? "" : "; " + ahead.key() + " is ahead by " + aheadBy + ": let "
            + chosen.key() + " catch up from it before promoting");
    return new RecoveryChoice(chosen.state.key(), ahead != null, ahead == null ? null : ahead.state.key(),
        aheadBy == null ? "" : aheadBy.toString(), excluded, null, detail);
  }

  private static final String ERRANT = "errant transactions no other replica or the primary has: ";

  /**
   * The reachable replicas with errant transactions (own transactions no other replica and not the
   * last-known primary position have), key string to why: they are never a candidate, and a recovery
   * leaves them for the operator instead of moving them under the new primary.
   */
  public static Map<String, String> errantReplicas(List<InstanceSnapshot> replicas, String lastKnownPrimaryGtid) {
    List<Parsed> usable = usable(replicas, new TreeMap<>(), Map.of());
    Map<String, String> errant = new TreeMap<>();
    for (Parsed p : usable) {
      GtidSet extra = errantOf(p, usable, lastKnownPrimaryGtid);
      if (!extra.isEmpty()) {
        errant.put(p.key(), ERRANT + extra);
      }
    }
    return errant;
  }

  /** The reachable replicas whose GTID sets parse; the others go to {@code excluded} with why. */
  private static List<Parsed> usable(List<InstanceSnapshot> replicas, Map<String, String> excluded,
      Map<String, String> gaveUp) {
    List<Parsed> usable = new ArrayList<>();
    for (InstanceSnapshot r : replicas) {
      if (!r.reachable() || r.flavor() == null) {
        excluded.put(r.key().toString(), "unreachable (" + Format.orNone(r.error()) + ")");
        continue;
      }
      try {
        usable.add(new Parsed(r, r.executedSet(), r.receivedSet(), gaveUp.containsKey(r.key().toString())));
      } catch (IllegalArgumentException e) {
        excluded.put(r.key().toString(), "cannot read its GTID sets: " + e.getMessage());
      }
    }
    return usable;
  }

  /** The replica's own transactions that nobody else has; empty when it is not errant. */
  private static GtidSet errantOf(Parsed p, List<Parsed> all, String lastKnownPrimaryGtid) {
    GtidSet known = GtidSet.empty(p.state.flavor());
    try {
      known = GtidSet.parse(p.state.flavor(), lastKnownPrimaryGtid);
    } catch (IllegalArgumentException e) {
      // an unreadable last-known position only means less is known; the replicas still count
    }
    for (Parsed o : all) {
      if (o != p && o.state.flavor() == p.state.flavor()) {
        known = known.union(o.executed).union(o.received);
      }
    }
    GtidSet extra = p.executed.subtract(known);
    String origin = p.state.originId();
    return extra.isEmpty() || origin == null ? extra : extra.originatedBy(origin);
  }

  /** Unplanned order: most received, then most executed, then promotion rule, then key string. */
  private static Comparator<Parsed> unplannedOrder() {
    return Comparator.<Parsed>comparingLong(p -> p.received.transactionCount()).reversed()
        .thenComparing(Comparator.<Parsed>comparingLong(p -> p.executed.transactionCount()).reversed())
        .thenComparingInt(p -> p.state.promotionRule().rank())
        .thenComparing(Parsed::key);
  }

  /** Which ahead replica to catch up from: the one offering the most, then key string. */
  private static Comparator<Parsed> aheadOrder() {
    return Comparator.<Parsed>comparingLong(p -> p.available().transactionCount()).reversed()
        .thenComparing(Parsed::key);
  }

  private static long executedCount(InstanceSnapshot s) {
    try {
      return s.executedSet().transactionCount();
    } catch (RuntimeException e) {
      return -1;
    }
  }

  /** A reachable replica with its GTID sets parsed once. */
  private record Parsed(InstanceSnapshot state, GtidSet executed, GtidSet received, boolean gaveUp) {
    String key() {
      return state.key().toString();
    }

    boolean sqlBroken() {
      var r = state.replication();
      return r != null && !r.sqlThreadRunning() && r.lastSqlError() != null && !r.lastSqlError().isBlank();
    }

    /**
     * What another replica can serve from it: all it received, or only what it executed if its SQL thread is
     * broken or it could not catch up as a candidate (its relay log may never be applied).
     */
    GtidSet available() {
      return sqlBroken() || gaveUp ? executed : received;
    }
  }
}
