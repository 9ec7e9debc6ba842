package dev.handoff.runbook;

import dev.handoff.domain.FailureType;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.failure.TimeoutFailure;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/** The step log of a runbook: which step runs now, and what each finished one found. Workflow-side only. */
public final class RunbookSteps {
  public static final String ROLLBACK = "rollback";
  private final List<StepRecord> records = new ArrayList<>();
  private String current;
  private String failedStep;
  private long compensationStart;

  /** Records a finished step, with the workflow's time now as its end. */
  private void add(String name, StepOutcome outcome, String detail, long millis) {
    records.add(new StepRecord(name, outcome, detail, millis, Workflow.currentTimeMillis()));
  }

  /** Runs a step, recording its outcome; a failure is recorded and rethrown. */
  public <T> T run(String name, Supplier<T> body, Function<T, String> describe) {
    current = name;
    long t0 = Workflow.currentTimeMillis();
    try {
      T result = body.get();
      add(name, StepOutcome.DONE, describe.apply(result), Workflow.currentTimeMillis() - t0);
      return result;
    } catch (TemporalFailure e) {
      failedStep = name;
      add(name, StepOutcome.FAILED, failureType(e) + ": " + message(e),
          Workflow.currentTimeMillis() - t0);
      throw e;
    }
  }

  /** How a runbook shows that it waits for an operator, and that it goes on again. */
  public interface Waiting {
    void waiting(FailureType failureType, String detail);

    void resumed();
  }

  /** A step the operator abandoned (or left undecided): the runbook ends with this. */
  public static final class Stopped extends RuntimeException {
    public final RunbookState state;
    public final FailureType failureType;

    Stopped(RunbookState state, FailureType failureType, String message) {
      super(message, null, false, false);
      this.state = state;
      this.failureType = failureType;
    }
  }

  /**
   * A step after the point of no return: run it; when it fails for good, say what failed and what is left,
   * and wait for the operator, who may retry it (as often as needed) or abandon the runbook.
   *
   * @throws Stopped when abandoned, or when no decision came within {@link OperatorGate#WAIT}
   */
  public String forward(String name, Supplier<String> body, OperatorGate gate, Waiting runbook, String situation,
      List<String> planned, String cluster) {
    while (true) {
      try {
        return run(name, body, d -> d);
      } catch (TemporalFailure e) {
        FailureType type = failureType(e);
        String what = situation + ", but step " + name + " failed: " + message(e) + "; steps left: " + remaining(planned);
        runbook.waiting(type, what + "; retry it with ./handoff runbook retry --cluster " + cluster
            + ", or abandon with ./handoff runbook abandon --cluster " + cluster + " and finish by hand");
        current = "waiting for the operator";
        OperatorDecision decision = gate.await();
        if (decision == OperatorDecision.RETRY) {
          runbook.resumed();
          continue;
        }
        current = null;
        throw decision == OperatorDecision.ABANDON
            ? new Stopped(RunbookState.ABANDONED, type, what + "; abandoned by the operator: finish the steps left by hand")
            : new Stopped(RunbookState.FAILED_AFTER_PROMOTION, type, what + "; no operator decision within "
                + OperatorGate.WAIT.toHours() + " h");
      }
    }
  }

  /** Continues the step log of an earlier run (a switchover handed over): its records come first. */
  public void continueFrom(List<StepRecord> earlier) {
    records.addAll(0, earlier);
  }

  /** Marks {@code name} as the step running now, for a step the caller records itself. */
  public void starting(String name) {
    current = name;
  }

  /** Records a step the caller ran itself, with its outcome (done or failed) and duration. */
  public void record(String name, StepOutcome outcome, String detail, long millis) {
    if (outcome == StepOutcome.FAILED) {
      failedStep = name;
    }
    add(name, outcome, detail, millis);
  }

  public void done(String name, String detail) {
    add(name, StepOutcome.DONE, detail, 0);
  }

  public void failed(String name, String detail) {
    failedStep = name;
    add(name, StepOutcome.FAILED, detail, 0);
  }

  public void compensating() {
    current = ROLLBACK;
    compensationStart = Workflow.currentTimeMillis();
  }

  public void compensated() {
    add(ROLLBACK, StepOutcome.ROLLED_BACK, "undid the steps before " + failedStep,
        Workflow.currentTimeMillis() - compensationStart);
  }

  public void finished() {
    current = null;
  }

  public String current() {
    return current;
  }

  public String failedStep() {
    return failedStep;
  }

  public List<StepRecord> records() {
    return List.copyOf(records);
  }

  /** The planned steps that have not finished, in order. */
  public List<String> remaining(List<String> planned) {
    List<String> done = records.stream().filter(r -> r.outcome() == StepOutcome.DONE).map(StepRecord::name).toList();
    return planned.stream().filter(p -> done.stream().noneMatch(d -> d.equals(p) || d.startsWith(p + ":"))).toList();
  }

  /**
   * The stable type of a failure: the activity's ApplicationFailure type, {@link FailureType#TIMEOUT}, or
   * {@link FailureType#UNEXPECTED} for anything else.
   */
  public static FailureType failureType(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ApplicationFailure a) {
        return FailureType.fromWire(a.getType());
      }
      if (t instanceof TimeoutFailure) {
        return FailureType.TIMEOUT;
      }
    }
    return FailureType.UNEXPECTED;
  }

  /**
   * The final state a runbook ended in (see {@link RunbookWorkflow#end}), carried in its failure's details;
   * null when the failure does not say (a timeout, a termination).
   */
  public static RunbookState finalState(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ApplicationFailure a) {
        try {
          return a.getDetails().getSize() == 0 ? null : a.getDetails().get(RunbookState.class);
        } catch (RuntimeException notAState) {
          return null;
        }
      }
    }
    return null;
  }

  /** The innermost readable message of a failure, without Temporal's wrapping. */
  public static String message(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ApplicationFailure a) {
        return a.getOriginalMessage();
      }
      if (t instanceof TimeoutFailure to) {
        String last = lastHeartbeat(to);
        return "timed out (" + to.getTimeoutType() + ")" + (last == null ? "" : "; it last reported: " + last);
      }
      if (!(t instanceof ActivityFailure) && !(t instanceof ChildWorkflowFailure) && t.getCause() == null) {
        return t.getMessage();
      }
    }
    return e.getMessage();
  }

  /**
   * What a timed-out step said in its last heartbeat (what it was waiting on), or null: a heartbeat timeout
   * then names the dependency that did not answer, not only the timeout.
   */
  private static String lastHeartbeat(TimeoutFailure to) {
    try {
      return to.getLastHeartbeatDetails() == null || to.getLastHeartbeatDetails().getSize() == 0 ? null
          : to.getLastHeartbeatDetails().get(String.class);
    } catch (RuntimeException unreadable) {
      return null;
    }
  }

  public static String describeStates(List<dev.handoff.domain.InstanceSnapshot> states) {
    long up = states.stream().filter(dev.handoff.domain.InstanceSnapshot::reachable).count();
    return up + " of " + states.size() + " instances reachable";
  }
}
