package dev.handoff.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.domain.FailureType;
import org.junit.jupiter.api.Test;

/** The CLI explains every failure type a runbook or an activity can end with. */
class FailureTypeRenderingTest {

  @Test
  void everyFailureTypeIsExplained() {
    for (String type : FailureType.ALL) {
      assertThat(FailoverCommand.meaning(type)).as(type).startsWith("  " + type + ": ")
          .doesNotContain("not one of Handoff's failure types");
    }
    assertThat(FailoverCommand.meaning("KvUnavailable")).isEqualTo("  KvUnavailable: the KV store does not answer");
    assertThat(FailoverCommand.meaning("Timeout")).contains("ran out of time");
  }

  @Test
  void anUnknownTypeIsSaidToBeOne() {
    assertThat(FailoverCommand.meaning("TerminatedFailure")).contains("not one of Handoff's failure types");
    assertThat(FailoverCommand.meaning(null)).isNull();
  }
}
