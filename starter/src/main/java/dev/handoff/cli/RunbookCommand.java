package dev.handoff.cli;

import dev.handoff.client.Runbooks;
import dev.handoff.runbook.OperatorDecision;
import dev.handoff.runbook.RunbookProgress;
import dev.handoff.runbook.WorkflowIds;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import java.util.Arrays;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code handoff runbook ...}: the cluster's runbook, whichever it is (a switchover or a recovery, under workflow
 * ID {@code failover-<cluster>}): its status, and an operator's decision when it waits after a failed step.
 */
@Command(name = "runbook", mixinStandardHelpOptions = true,
    description = "The running (or last) runbook of a cluster, a switchover or a recovery.",
    subcommands = {RunbookCommand.Status.class, RunbookCommand.Retry.class, RunbookCommand.Abandon.class})
final class RunbookCommand extends GroupCommand {
  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "The state, the current step and what each finished step found, of a cluster's last runbook.")
  static final class Status extends ClusterClientCommand {
    @Override
    int act(WorkflowClient client) {
      RunbookProgress p;
      try {
        p = Runbooks.progress(client, cluster);
      } catch (WorkflowNotFoundException e) {
        throw new CliException("no runbook of " + cluster + " was ever started (workflow "
            + WorkflowIds.failover(cluster) + ")");
      }
      System.out.println(WorkflowIds.failover(cluster) + ": " + p.state() + (p.currentStep() == null ? "" : ", at "
          + p.currentStep()) + (p.oldPrimary() == null ? "" : ", " + p.oldPrimary() + " -> "
          + (p.newPrimary() == null ? "?" : p.newPrimary())));
      RunbookOutput.printSteps(p, 0, System.out);
      if (p.detail() != null) {
        System.out.println((p.failureType() == null ? "" : "[" + p.failureType() + "] ") + p.detail());
        RunbookOutput.printMeaning(p.failureType(), System.out);
      }
      return 0;
    }
  }

  /**
   * Sends an operator decision to a runbook waiting after a failed step, as an update and nothing else: the
   * runbook refuses it, to this caller and with nothing changed, unless it waits for a decision at the moment it
   * receives it (a decision sent just after another, or after the runbook moved on, is refused, not dropped).
   */
  abstract static class Decision extends ClusterClientCommand {
    @Spec
    CommandSpec spec;

    /** The decision this command sends: the one its name spells ({@code retry}, {@code abandon}). */
    OperatorDecision decision() {
      return Arrays.stream(OperatorDecision.values()).filter(d -> d.wireName().equals(spec.name())).findFirst()
          .orElseThrow();
    }

    @Override
    int act(WorkflowClient client) {
      try {
        System.out.println(Runbooks.decide(client, cluster, decision()).describe());
        return 0;
      } catch (Runbooks.DecisionRefused e) {
        throw new CliException(decision().wireName() + " refused by " + WorkflowIds.failover(cluster) + ": "
            + e.getMessage());
      } catch (Runbooks.NotRunning e) {
        throw new CliException("no runbook of " + cluster + " is running (workflow " + WorkflowIds.failover(cluster)
            + "); nothing was sent");
      }
    }
  }

  @Command(name = "retry", mixinStandardHelpOptions = true,
      description = "Run the failed step of a runbook that waits for an operator again.")
  static final class Retry extends Decision {}

  @Command(name = "abandon", mixinStandardHelpOptions = true,
      description = "End a runbook that waits for an operator; it lists the steps left to do by hand.")
  static final class Abandon extends Decision {}
}
