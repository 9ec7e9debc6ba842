package dev.handoff.cli;

import dev.handoff.client.Runbooks;
import dev.handoff.domain.FailureType;
import dev.handoff.runbook.RunbookProgress;
import dev.handoff.runbook.RunbookState;
import dev.handoff.runbook.RunbookSteps;
import dev.handoff.runbook.StepRecord;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import java.io.PrintStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/** How the CLI prints a runbook (a switchover or a recovery): its steps as they finish, and its outcome. */
final class RunbookOutput {
  private RunbookOutput() {}

  /** Exit code of a runbook that was refused, rolled back or stopped after promotion. */
  static final int NOT_DONE = 4;

  /**
   * Prints each step as it finishes, then the outcome, as "{@code runbook} COMPLETED: ..."; returns the exit code.
   * It follows the workflow ID, not a run: a switchover that handed over to a recovery is followed into the
   * recovery's run, whose steps continue the switchover's.
   */
  static int follow(WorkflowClient client, String workflowId, String runbook, PrintStream out) {
    CompletableFuture<RunbookProgress> result = Runbooks.result(client, workflowId);
    Supplier<RunbookProgress> query = () -> Runbooks.control(client, workflowId).progress();
    int printed = 0;
    boolean announced = false;
    while (true) {
      RunbookProgress p;
      try {
        p = query.get();
      } catch (RuntimeException e) {
        p = null; // no worker has picked the workflow up yet
      }
      if (p != null) {
        printed = printSteps(p, printed, out);
        boolean waiting = RunbookState.WAITING_FOR_OPERATOR.equals(p.state());
        if (waiting && !announced) {
          out.println("WAITING FOR THE OPERATOR [" + p.failureType() + "]: " + p.detail());
          printMeaning(p.failureType(), out);
        }
        announced = waiting;
      }
      try {
        RunbookProgress done = result.get(100, TimeUnit.MILLISECONDS);
        printSteps(done, printed, out);
        if (RunbookState.DRY_RUN.equals(done.state())) {
          out.println("pre-checks passed; the plan:");
          out.println(done.plan());
        } else {
          out.println(runbook + " COMPLETED: " + done.oldPrimary() + " -> " + done.newPrimary());
          if (done.detail() != null) {
            out.println(done.detail());
          }
        }
        return 0;
      } catch (TimeoutException e) {
        continue;
      } catch (java.util.concurrent.ExecutionException e) {
        RunbookProgress last = null;
        try {
          last = query.get();
        } catch (RuntimeException ignored) {
          // the outcome below still says what happened
        }
        if (last != null) {
          printSteps(last, printed, out);
        }
        Throwable cause = e.getCause() instanceof WorkflowFailedException wfe ? wfe.getCause() : e.getCause();
        FailureType type = RunbookSteps.failureType(cause);
        String message = RunbookSteps.message(cause);
        out.println(runbook + " " + (last == null ? "FAILED" : last.state()) + " [" + type + "]: " + message);
        printMeaning(type, out);
        return NOT_DONE;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        out.println("stopped following; the " + runbook + " goes on in the workflow");
        return 1;
      }
    }
  }

  /** What a failure type means, one line under the failure; every type Handoff raises has one. */
  static String meaning(FailureType type) {
    return type == null ? null : "  " + type.wireName() + ": " + type.meaning();
  }

  static void printMeaning(FailureType type, PrintStream out) {
    String m = meaning(type);
    if (m != null) {
      out.println(m);
    }
  }

  static int printSteps(RunbookProgress p, int from, PrintStream out) {
    for (int i = from; i < p.steps().size(); i++) {
      StepRecord s = p.steps().get(i);
      out.printf("  [%s] %s (%d ms): %s%n", s.outcome().wireName(), s.name(), s.millis(), s.detail());
    }
    return Math.max(from, p.steps().size());
  }
}
