package dev.handoff.runbook;

import dev.handoff.domain.FailureType;
import dev.handoff.domain.InstanceKey;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the planned and the unplanned failover runbooks share: the activity stubs with their named
 * options, the step log, the operator gate, and the progress they report.
 */
public abstract class RunbookWorkflow implements RunbookControl {
  /** Reads: the configuration, the instances, the topology, the HAProxies, the detector. */
  protected RunbookStubs probeStubs = new RunbookStubs(RunbookOptions.PROBE);
  /** Changes before the point of no return. */
  protected RunbookStubs mutationStubs = new RunbookStubs(RunbookOptions.MUTATION);
  /** Waits for replication to catch up. */
  protected RunbookStubs catchUpStubs = new RunbookStubs(RunbookOptions.CATCH_UP_WAIT);
  /** Changes after the point of no return. */
  protected RunbookStubs forwardStubs = new RunbookStubs(RunbookOptions.FORWARD);
  /**
   * Steps after the writes resumed that may be reported instead of waited on (the switchover's rejoin of the
   * old primary: a few attempts, then it is checked for death before the runbook waits on it).
   */
  protected RunbookStubs tidyStubs = new RunbookStubs(RunbookOptions.TIDY);

  /**
   * Tidy steps as task-queue activities, whatever the version: one of the durable points (see
   * {@link #pickSteps}).
   */
  protected final RunbookStubs tidyTasks = new RunbookStubs(RunbookOptions.TIDY);

  /**
   * The step name of that check, followed by where it runs ({@code :before-promote}): not a sub-step of a
   * planned step, whose record would count that step as done.
   */
  protected static final String KV_WRITABLE = "kv-writable";

  /** The version marker from which a runbook's steps run as local activities (see {@link #pickSteps}). */
  public static final String LOCAL_STEPS = "local-steps";

  /** Whether this run's steps are local activities (decided by {@link #pickSteps}). */
  protected boolean localSteps;

  protected final RunbookSteps steps = new RunbookSteps();
  private final OperatorGate gate = new OperatorGate();
  private final RunbookSteps.Waiting waiting = new RunbookSteps.Waiting() {
    @Override
    public void waiting(FailureType type, String message) {
      state = RunbookState.WAITING_FOR_OPERATOR;
      failureType = type;
      detail = message;
    }

    @Override
    public void resumed() {
      state = RunbookState.RUNNING;
      failureType = null;
      detail = null;
    }
  };
  protected String cluster;
  protected RunbookState state = RunbookState.RUNNING;
  protected InstanceKey oldPrimary;
  protected InstanceKey newPrimary;
  protected String plan;
  protected FailureType failureType;
  protected String detail;

  /**
   * Called first by every runbook. From version 1 of {@link #LOCAL_STEPS} on, most steps run as local
   * activities: each costs what its work costs, not a round trip through a task queue (100 to 300 ms each on a
   * busy machine, most of a recovery before), and steps started side by side run side by side in the worker.
   * A local step is recorded only when its workflow task completes, and that task may hold many: a worker that
   * dies, or a workflow task that times out ({@link RunbookOptions#WORKFLOW_TASK_TIMEOUT}: its worker too
   * slow to report in time), has the next attempt, on any worker, run again every step since the last
   * recorded event, against a cluster those steps already changed. Two rules make that safe. Every step is
   * idempotent (a repeat finds its work done and says so), as a retried activity already had to be. And the
   * runbooks make a few steps task-queue activities ({@link #tidyTasks} and the like): scheduling one
   * completes the workflow task, recording every step before it, and its completion is recorded too. They sit
   * where a repeat of the steps before them would decide differently once the cluster changed: the
   * recovery's stops of the replicas' IO threads, right before its promotion (stopped replicas no longer vouch
   * for the death, and a promoted candidate is no replica to choose), the switchover's KV check before
   * read-only (the last step before the write outage: a re-run of the pre-checks would find the old primary
   * read-only), and the recovery's republication of the replica pool. The one repeat no durable point
   * covers without a round trip inside the write outage, the switchover's epoch check finding its own
   * publication, is caught before any rollback (see the switchover). Runs started before this version replay
   * with the activities they recorded.
   */
  protected boolean pickSteps() {
    localSteps = Workflow.getVersion(LOCAL_STEPS, Workflow.DEFAULT_VERSION, 1) >= 1;
    if (localSteps) {
      probeStubs = new RunbookStubs(RunbookOptions.PROBE, true);
      mutationStubs = new RunbookStubs(RunbookOptions.MUTATION, true);
      catchUpStubs = new RunbookStubs(RunbookOptions.CATCH_UP_WAIT, true);
      forwardStubs = new RunbookStubs(RunbookOptions.FORWARD, true);
      tidyStubs = new RunbookStubs(RunbookOptions.TIDY, true);
    }
    return localSteps;
  }

  /** A step after the point of no return: retried, then held for the operator (see {@link RunbookSteps#forward}). */
  protected String forward(String name, Supplier<String> body, String situation, List<String> planned) {
    return steps.forward(name, body, gate, waiting, situation, planned, cluster);
  }

  /** Starts one call per name at once and joins their answers. */
  protected static String onEach(List<String> names, Function<String, Promise<String>> call) {
    List<Promise<String>> all = new ArrayList<>();
    for (String n : names) {
      all.add(call.apply(n));
    }
    List<String> out = new ArrayList<>();
    for (Promise<String> p : all) {
      out.add(p.get());
    }
    return String.join("; ", out);
  }

  /** An instance the runbook left for the operator (a replica it could not move, a dead old primary): who, why, what to do. */
  protected String leftBehind(InstanceKey replica, String why) {
    String first = why.startsWith("unreachable") ? "once it answers, "
        : why.contains("errant") || why.startsWith(FailureType.ERRANT_GTID.wireName()) ? "discard its errant transactions or"
            + " re-clone it from " + newPrimary + ", then "
        : "repair what stopped it, then ";
    return "left behind: " + replica + " (" + why + "); to do: " + first + "make it replicate from " + newPrimary
        + " (CHANGE MASTER TO with MASTER_USE_GTID=slave_pos) and add it back to the replica pool";
  }

  /**
   * Ends the runbook in {@code finalState}; the caller throws the returned failure, whose details carry
   * the final state (so a parent, the watch, knows whether anything was promoted).
   */
  protected ApplicationFailure end(RunbookState finalState, FailureType type, String message) {
    state = finalState;
    failureType = type;
    detail = message;
    steps.finished();
    return ApplicationFailure.newNonRetryableFailure(message, type.wireName(), finalState);
  }

  /** Ends the runbook in {@code finalState} (a success: dry run or completed) and reports its progress. */
  protected RunbookProgress finish(RunbookState finalState) {
    state = finalState;
    steps.finished();
    return progress();
  }

  /** Refuses a decision, before it is recorded anywhere, unless this runbook waits for one now. */
  public void checkDecision(OperatorDecision decision) {
    if (decision == null) {
      throw new IllegalArgumentException("no decision: send retry or abandon");
    }
    if (!gate.accepts()) {
      throw new IllegalStateException("the runbook of " + cluster + " is " + state
          + (state == RunbookState.WAITING_FOR_OPERATOR ? " and already has a decision" : ", not waiting for an operator")
          + "; nothing was changed");
    }
  }

  /** Takes a decision {@link #checkDecision} accepted; returns what the runbook waited after. */
  public DecisionTaken decision(OperatorDecision decision) {
    String waitedAfter = detail;
    gate.decide(decision);
    return new DecisionTaken(cluster, decision, waitedAfter);
  }

  public RunbookProgress progress() {
    return new RunbookProgress(cluster, state, steps.current(), oldPrimary == null ? null : oldPrimary.toString(),
        newPrimary == null ? null : newPrimary.toString(), steps.records(), plan, failureType, detail);
  }
}
