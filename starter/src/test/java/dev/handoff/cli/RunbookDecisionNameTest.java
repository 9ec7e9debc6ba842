package dev.handoff.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.runbook.OperatorDecision;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Each decision subcommand sends the decision its name spells. */
class RunbookDecisionNameTest {
  @Test
  void retryAndAbandonSendTheirOwnDecision() {
    CommandLine runbook = new CommandLine(new RunbookCommand());
    assertThat(decision(runbook, "retry")).isEqualTo(OperatorDecision.RETRY);
    assertThat(decision(runbook, "abandon")).isEqualTo(OperatorDecision.ABANDON);
  }

  private static OperatorDecision decision(CommandLine parent, String name) {
    return ((RunbookCommand.Decision) parent.getSubcommands().get(name).getCommand()).decision();
  }
}
