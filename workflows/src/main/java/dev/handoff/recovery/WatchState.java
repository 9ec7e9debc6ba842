package dev.handoff.recovery;

import dev.handoff.domain.InstanceKey;
import java.util.List;

/**
 * What a cluster's watch carries across continue-as-new: whether automatic recovery is blocked and
 * until when, maintenance mode, the instances it fenced, and the last recovery.
 */
public record WatchState(
    long blockedUntilMillis,
    boolean maintenance,
    List<InstanceKey> fenced,
    int recoveries,
    String lastRecovery) {

  public static WatchState initial() {
    return new WatchState(0, false, List.of(), 0, null);
  }
}
