package dev.handoff.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.recovery.WatchMode;
import dev.handoff.recovery.WatchStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@code recovery start} says it skips: whatever holds the watch's automatic recovery back now. */
class ForcedRecoveryHoldTest {
  private static final long NOW = 1_000_000;

  private static WatchStatus watch(WatchMode mode, long blockedUntil, long retryNotBefore) {
    return new WatchStatus("c1", mode, dev.handoff.domain.AnalysisCode.DEAD_PRIMARY, "dead", blockedUntil, retryNotBefore, 0, List.of(), null, 1,
        null, 0, List.of());
  }

  @Test
  void theCooldownIsNamedAsSkippedButTheConfirmationIsNot() {
    String said = RecoveryCommand.skippedHold(watch(WatchMode.WATCHING, NOW + 60_000, 0), NOW);
    assertThat(said).contains("automatic recovery of c1 is held back", "the cooldown after the last recovery lasts until",
        "this recovery is forced and skips that", "the primary's death is still confirmed first");
  }

  @Test
  void maintenanceAndTheBackOffAreNamedToo() {
    assertThat(RecoveryCommand.skippedHold(watch(WatchMode.MAINTENANCE, 0, NOW + 30_000), NOW))
        .contains("maintenance mode is on", "the back-off after an attempt that promoted nothing");
  }

  @Test
  void nothingHeldBackOrNoWatchSaysNothing() {
    assertThat(RecoveryCommand.skippedHold(watch(WatchMode.WATCHING, NOW - 1, NOW - 1), NOW)).isNull();
    assertThat(RecoveryCommand.skippedHold(null, NOW)).isNull();
  }
}
