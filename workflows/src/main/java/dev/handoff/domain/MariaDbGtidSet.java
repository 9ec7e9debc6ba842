package dev.handoff.domain;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * MariaDB GTID position ("0-1-100,1-2-5"): per replication domain the last GTID, covering seq 1..N of
 * that domain; kept sorted by domain with one position per domain so equality and toString are stable.
 *
 * <p>Comparison is by per-domain seq. The server id is informational except in one case: the same
 * domain and seq with different server ids are two different transactions (GTIDs are unique in strict
 * mode), so neither set contains the other there.
 */
public record MariaDbGtidSet(List<Gtid> positions) implements GtidSet {

  /** One MariaDB GTID, domain-server-seq. */
  public record Gtid(long domain, long serverId, long seq) {
    public Gtid {
      if (domain < 0 || serverId < 0 || seq < 0) {
        throw new IllegalArgumentException(
            "MariaDB GTID parts must not be negative: " + domain + "-" + serverId + "-" + seq);
      }
    }

    @Override
    public String toString() {
      return domain + "-" + serverId + "-" + seq;
    }
  }

  /** Normalizes: one position per domain (the furthest), sorted by domain. */
  public MariaDbGtidSet {
    Map<Long, Gtid> byDomain = new TreeMap<>();
    for (Gtid g : positions == null ? List.<Gtid>of() : positions) {
      byDomain.merge(g.domain(), g, (a, b) -> b.seq() > a.seq() ? b : a);
    }
    positions = List.copyOf(byDomain.values());
  }

  /** Parses {@code gtid_current_pos}/{@code Gtid_IO_Pos} output; blank is the empty set. */
  public static MariaDbGtidSet parse(String text) {
    List<Gtid> gtids = new ArrayList<>();
    String compact = text == null ? "" : text.replaceAll("\\s+", "");
    for (String part : compact.split(",")) {
      if (part.isEmpty()) {
        continue;
      }
      String[] f = part.split("-", -1);
      if (f.length != 3) {
        throw new IllegalArgumentException(
            "MariaDB GTID '" + part + "' in '" + text + "' must be domain-server-seq");
      }
      gtids.add(new Gtid(number(f[0], part, text), number(f[1], part, text), number(f[2], part, text)));
    }
    return new MariaDbGtidSet(gtids);
  }

  private static long number(String field, String part, String text) {
    try {
      long v = Long.parseLong(field);
      if (v < 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "MariaDB GTID '" + part + "' in '" + text + "' has a bad number '" + field + "'");
    }
  }

  @Override
  @JsonIgnore
  public Flavor flavor() {
    return Flavor.MARIADB;
  }

  @Override
  @JsonIgnore
  public boolean isEmpty() {
    return positions.stream().allMatch(g -> g.seq() == 0);
  }

  @Override
  public boolean contains(GtidSet other) {
    return same(other).positions.stream().noneMatch(g -> exceeds(g, this));
  }

  @Override
  public MariaDbGtidSet subtract(GtidSet other) {
    MariaDbGtidSet o = same(other);
    return new MariaDbGtidSet(positions.stream().filter(g -> exceeds(g, o)).toList());
  }

  @Override
  public MariaDbGtidSet union(GtidSet other) {
    List<Gtid> all = new ArrayList<>(positions);
    all.addAll(same(other).positions);
    return new MariaDbGtidSet(all);
  }

  @Override
  public long transactionCount() {
    return positions.stream().mapToLong(Gtid::seq).sum();
  }

  @Override
  public MariaDbGtidSet originatedBy(String origin) {
    long serverId;
    try {
      serverId = Long.parseLong(origin == null ? "" : origin.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("MariaDB origin must be a numeric server_id, got '" + origin + "'");
    }
    return new MariaDbGtidSet(positions.stream().filter(g -> g.serverId() == serverId).toList());
  }

  /** The seq this set has reached in one domain (0 when the domain is absent). */
  public long seqOf(long domain) {
    return positions.stream().filter(g -> g.domain() == domain).mapToLong(Gtid::seq).findFirst().orElse(0);
  }

  /** True when {@code g} holds a transaction {@code set} lacks. */
  private static boolean exceeds(Gtid g, MariaDbGtidSet set) {
    if (g.seq() == 0) {
      return false;
    }
    for (Gtid mine : set.positions) {
      if (mine.domain() == g.domain()) {
        return g.seq() > mine.seq() || (g.seq() == mine.seq() && g.serverId() != mine.serverId());
      }
    }
    return true;
  }

  private static MariaDbGtidSet same(GtidSet other) {
    return GtidSets.sameFlavor(MariaDbGtidSet.class, "MariaDB", other);
  }

  /** The server's own form, e.g. "0-1-100,1-2-5"; empty set is "". */
  @Override
  public String toString() {
    return positions.stream().map(Gtid::toString).collect(Collectors.joining(","));
  }
}
