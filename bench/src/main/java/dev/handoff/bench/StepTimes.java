package dev.handoff.bench;

import dev.handoff.lab.Percentiles;
import dev.handoff.runbook.RunbookProgress;
import dev.handoff.runbook.StepRecord;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * One runbook's timed steps, from its own step records: when each ended, in ms after a moment the bench
 * chooses (the kill, the start of read-only), and how long it took. A step that ran twice counts once, its
 * first record; a record from before the runbooks kept their steps' ends has none, and is left out.
 */
record StepTimes(Map<String, Double> ends, Map<String, Double> own) {
  /** The first record of each of {@code steps} in {@code p} that has an end, counted from {@code zeroMillis}. */
  static StepTimes of(RunbookProgress p, List<String> steps, long zeroMillis) {
    Map<String, Double> ends = new LinkedHashMap<>();
    Map<String, Double> own = new LinkedHashMap<>();
    for (String step : steps) {
      first(p, step).ifPresent(r -> {
        ends.put(step, (double) (r.endedAtMillis() - zeroMillis));
        own.put(step, (double) r.millis());
      });
    }
    return new StepTimes(ends, own);
  }

  /** The first record of {@code step} in {@code p} that has an end. */
  static java.util.Optional<StepRecord> first(RunbookProgress p, String step) {
    return p == null ? java.util.Optional.empty()
        : p.steps().stream().filter(r -> r.name().equals(step) && r.endedAtMillis() > 0).findFirst();
  }

  /** One run's steps on one line: {@code name end (own time)}, in the order of the timed steps. */
  String line() {
    return ends.isEmpty() ? "(no step times in the result)" : ends.keySet().stream()
        .map(k -> String.format("%s %.0f (%.0f)", k, ends.get(k), own.get(k))).collect(Collectors.joining(", "));
  }

  /**
   * The table over all runs: per step, its end (p50 / p99, counted from {@code from}) and its own time (p50 /
   * p99), with how many runs had it when some did not.
   */
  static void print(PrintStream out, String title, String from, List<String> steps, List<StepTimes> runs) {
    out.println(title + "each step's end, ms after " + from + " (p50 / p99), and its own time (p50 / p99):");
    for (String step : steps) {
      List<Double> ends = runs.stream().map(t -> t.ends().get(step)).filter(Objects::nonNull).toList();
      List<Double> own = runs.stream().map(t -> t.own().get(step)).filter(Objects::nonNull).toList();
      if (!ends.isEmpty()) {
        out.printf("  %-28s ends %6.0f / %6.0f ms   takes %6.0f / %6.0f ms%s%n", step, Percentiles.of(ends, 50),
            Percentiles.of(ends, 99), Percentiles.of(own, 50), Percentiles.of(own, 99),
            ends.size() < runs.size() ? "   (in " + ends.size() + " of " + runs.size() + " runs)" : "");
      }
    }
  }
}
