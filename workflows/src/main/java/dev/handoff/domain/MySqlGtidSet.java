package dev.handoff.domain;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * MySQL GTID set ("uuid:1-5:7-9,uuid2:1-3"): per source server_uuid, a list of transaction intervals;
 * kept normalized (lower-case uuids in order, intervals sorted and merged) so equality and toString are
 * stable. Tagged GTIDs (MySQL 8.3+) are not supported and are refused with a clear message.
 */
public record MySqlGtidSet(Map<String, List<Interval>> intervals) implements GtidSet {

  private static final Pattern UUID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  /** Inclusive interval of transaction numbers, start..end. */
  public record Interval(long start, long end) {
    public Interval {
      if (start < 1 || end < start) {
        throw new IllegalArgumentException("GTID interval must have 1 <= start <= end, got " + start + "-" + end);
      }
    }

    @Override
    public String toString() {
      return start == end ? Long.toString(start) : start + "-" + end;
    }
  }

  /** Normalizes: lower-case validated uuids, sorted merged intervals, no empty entries. */
  public MySqlGtidSet {
    Map<String, List<Interval>> norm = new TreeMap<>();
    if (intervals != null) {
      intervals.forEach((uuid, list) -> {
        String u = uuid == null ? "" : uuid.strip().toLowerCase(Locale.ROOT);
        if (!UUID.matcher(u).matches()) {
          throw new IllegalArgumentException("'" + uuid + "' is not a server_uuid");
        }
        List<Interval> all = new ArrayList<>(norm.getOrDefault(u, List.of()));
        all.addAll(list == null ? List.of() : list);
        List<Interval> merged = merge(all);
        if (merged.isEmpty()) {
          norm.remove(u);
        } else {
          norm.put(u, merged);
        }
      });
    }
    intervals = Collections.unmodifiableMap(norm);
  }

  /** Parses {@code @@gtid_executed}/{@code Retrieved_Gtid_Set}; whitespace and newlines are ignored. */
  public static MySqlGtidSet parse(String text) {
    Map<String, List<Interval>> map = new TreeMap<>();
    String compact = text == null ? "" : text.replaceAll("\\s+", "");
    for (String part : compact.split(",")) {
      if (part.isEmpty()) {
        continue;
      }
      String[] f = part.split(":", -1);
      String uuid = f[0].toLowerCase(Locale.ROOT);
      if (!UUID.matcher(uuid).matches()) {
        throw new IllegalArgumentException(
            "MySQL GTID set '" + text + "': '" + f[0] + "' is not a server_uuid");
      }
      if (f.length < 2) {
        throw new IllegalArgumentException(
            "MySQL GTID set '" + text + "': '" + part + "' must be uuid:interval[:interval...]");
      }
      List<Interval> list = map.computeIfAbsent(uuid, k -> new ArrayList<>());
      for (int i = 1; i < f.length; i++) {
        list.add(interval(f[i], part, text));
      }
    }
    return new MySqlGtidSet(map);
  }

  private static Interval interval(String s, String part, String text) {
    String[] ends = s.split("-", -1);
    try {
      if (ends.length == 1) {
        long n = Long.parseLong(ends[0]);
        return new Interval(n, n);
      }
      if (ends.length == 2) {
        return new Interval(Long.parseLong(ends[0]), Long.parseLong(ends[1]));
      }
    } catch (NumberFormatException e) {
      // fall through to the message below
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("MySQL GTID set '" + text + "': in '" + part + "': " + e.getMessage());
    }
    throw new IllegalArgumentException(
        "MySQL GTID set '" + text + "': '" + s + "' in '" + part
            + "' is not an interval like 5 or 1-5 (tagged GTIDs are not supported)");
  }

  private static List<Interval> merge(List<Interval> in) {
    List<Interval> sorted = new ArrayList<>(in);
    sorted.sort(Comparator.comparingLong(Interval::start));
    List<Interval> out = new ArrayList<>();
    for (Interval i : sorted) {
      if (!out.isEmpty() && i.start() <= out.get(out.size() - 1).end() + 1) {
        Interval last = out.remove(out.size() - 1);
        out.add(new Interval(last.start(), Math.max(last.end(), i.end())));
      } else {
        out.add(i);
      }
    }
    return List.copyOf(out);
  }

  @Override
  @JsonIgnore
  public Flavor flavor() {
    return Flavor.MYSQL;
  }

  @Override
  @JsonIgnore
  public boolean isEmpty() {
    return intervals.isEmpty();
  }

  @Override
  public boolean contains(GtidSet other) {
    return same(other).subtract(this).isEmpty();
  }

  @Override
  public MySqlGtidSet subtract(GtidSet other) {
    MySqlGtidSet o = same(other);
    Map<String, List<Interval>> out = new TreeMap<>();
    intervals.forEach((uuid, mine) -> {
      List<Interval> rest = minus(mine, o.intervals.getOrDefault(uuid, List.of()));
      if (!rest.isEmpty()) {
        out.put(uuid, rest);
      }
    });
    return new MySqlGtidSet(out);
  }

  /** a minus b, both sorted and merged. */
  private static List<Interval> minus(List<Interval> a, List<Interval> b) {
    List<Interval> out = new ArrayList<>();
    for (Interval i : a) {
      long start = i.start();
      for (Interval cut : b) {
        if (cut.end() < start || cut.start() > i.end()) {
          continue;
        }
        if (cut.start() > start) {
          out.add(new Interval(start, cut.start() - 1));
        }
        start = cut.end() + 1;
        if (start > i.end()) {
          break;
        }
      }
      if (start <= i.end()) {
        out.add(new Interval(start, i.end()));
      }
    }
    return out;
  }

  @Override
  public MySqlGtidSet union(GtidSet other) {
    Map<String, List<Interval>> all = new TreeMap<>();
    intervals.forEach((u, l) -> all.computeIfAbsent(u, k -> new ArrayList<>()).addAll(l));
    same(other).intervals.forEach((u, l) -> all.computeIfAbsent(u, k -> new ArrayList<>()).addAll(l));
    return new MySqlGtidSet(all);
  }

  @Override
  public long transactionCount() {
    return intervals.values().stream()
        .flatMap(List::stream)
        .mapToLong(i -> i.end() - i.start() + 1)
        .sum();
  }

  @Override
  public MySqlGtidSet originatedBy(String origin) {
    String u = origin == null ? "" : origin.strip().toLowerCase(Locale.ROOT);
    List<Interval> mine = intervals.get(u);
    return new MySqlGtidSet(mine == null ? Map.of() : Map.of(u, mine));
  }

  private static MySqlGtidSet same(GtidSet other) {
    return GtidSets.sameFlavor(MySqlGtidSet.class, "MySQL", other);
  }

  /** The server's form without newlines, e.g. "uuid:1-5:7-9,uuid2:1-3"; empty set is "". */
  @Override
  public String toString() {
    return intervals.entrySet().stream()
        .map(e -> e.getKey() + ":" + e.getValue().stream().map(Interval::toString).collect(Collectors.joining(":")))
        .collect(Collectors.joining(","));
  }
}
