package dev.handoff.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.domain.FailureType;
import org.junit.jupiter.api.Test;

/** The CLI explains every failure type a runbook or an activity can end with. */
class FailureTypeRenderingTest {

  @Test
  void everyFailureTypeIsExplained() {
    for (FailureType type : FailureType.values()) {
      assertThat(RunbookOutput.meaning(type)).as(type.name()).startsWith("  " + type.wireName() + ": ");
    }
    assertThat(RunbookOutput.meaning(FailureType.KV_UNAVAILABLE))
        .isEqualTo("  KvUnavailable: the KV store does not answer");
    assertThat(RunbookOutput.meaning(FailureType.TIMEOUT)).contains("ran out of time");
  }

  @Test
  void aTypeHandoffDoesNotKnowIsSaidToBeUnexpected() {
    assertThat(RunbookOutput.meaning(FailureType.fromWire("TerminatedFailure")))
        .contains("Unexpected: an error Handoff did not expect").contains("worker's log");
    assertThat(RunbookOutput.meaning(null)).isNull();
  }
}
