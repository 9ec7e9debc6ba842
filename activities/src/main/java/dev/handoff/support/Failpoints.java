package dev.handoff.support;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Named crash points for the chaos suite, in the manner of etcd's gofail: off unless the worker is
 * started with {@code HANDOFF_FAILPOINTS=Promote:during,PublishTopology:after}. A hit failpoint halts the
 * JVM at once (no shutdown hooks, no cleanup), which is what a {@code kill -9} of the worker does.
 * Names are {@code <ActivityType>:before|during|after}.
 */
public final class Failpoints {
  public static final String ENV = "HANDOFF_FAILPOINTS";
  /**
   * What a hit failpoint does: {@code halt} (default), {@code pause} (until killed), or {@code delay:MILLIS}
   * (once per failpoint).
   */
  public static final String ACTION_ENV = "HANDOFF_FAILPOINT_ACTION";
  /** The exit code of a halted worker: what a shell reports for a process killed by SIGKILL (128 + 9). */
  public static final int HALT_EXIT_CODE = 137;
  private static final Set<String> ACTIVE = parse(System.getenv(ENV));
  private static final String ACTION = System.getenv().getOrDefault(ACTION_ENV, "halt");
  /** A delay fires once per failpoint: the retry of a delayed step then runs at full speed. */
  private static final Set<String> DELAYED = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private Failpoints() {}

  static Set<String> parse(String spec) {
    if (spec == null || spec.isBlank()) {
      return Set.of();
    }
    return Arrays.stream(spec.split(",")).map(String::strip).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
  }

  public static boolean any() {
    return !ACTIVE.isEmpty();
  }

  /** Acts when {@code name} is an active failpoint: halts the process, pauses it, or delays it. */
  public static void hit(String name) {
    if (!ACTIVE.contains(name)) {
      return;
    }
    if (ACTION.startsWith("delay:") && DELAYED.contains(name)) {
      return;
    }
    System.err.println("failpoint " + name + ": " + ACTION);
    System.err.flush();
    try {
      if (ACTION.equals("pause")) {
        Thread.sleep(Long.MAX_VALUE);
      } else if (ACTION.startsWith("delay:")) {
        if (DELAYED.add(name)) {
          Thread.sleep(Long.parseLong(ACTION.substring("delay:".length())));
        }
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Runtime.getRuntime().halt(HALT_EXIT_CODE);
  }

  /** The mid-activity failpoint of the running activity ({@code <ActivityType>:during}); a no-op outside one. */
  public static void during() {
    if (ACTIVE.isEmpty()) {
      return;
    }
    try {
      hit(io.temporal.activity.Activity.getExecutionContext().getInfo().getActivityType() + ":during");
    } catch (IllegalStateException notInActivity) {
      // direct calls (lab, tests) have no activity type
    }
  }
}
