package dev.handoff.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code handoff bench watch} refuses what cannot run, naming the option, before it starts any lab. */
class BenchWatchOptionsTest {
  private static String errorOf(String... args) {
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      assertThat(HandoffCli.execute(args)).as("exit code of %s", String.join(" ", args)).isEqualTo(1);
    } finally {
      System.setErr(err);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aWindowTooShortIsRefused() {
    assertThat(errorOf("bench", "watch", "--window", "5")).contains("--window must be 10..3600 seconds, got 5");
  }

  @Test
  void aClusterCountPastTheLabsLimitIsRefused() {
    assertThat(errorOf("bench", "watch", "--clusters", "1,51")).contains("--clusters: each count must be 1..50, got 51");
  }

  @Test
  void moreKillsThanTheLargestLabHasClustersAreRefused() {
    assertThat(errorOf("bench", "watch", "--clusters", "4", "--trials", "2"))
        .contains("--trials must be 1..1 (each kill takes a cluster of the largest lab, four cases), got 2");
  }
}
