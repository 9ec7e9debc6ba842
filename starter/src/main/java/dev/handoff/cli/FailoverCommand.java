package dev.handoff.cli;

import dev.handoff.runbook.RunbookState;
import dev.handoff.runbook.RunbookProgress;
import dev.handoff.config.ClusterSettings;
import dev.handoff.config.HandoffConfig;
import dev.handoff.domain.FailureType;
import dev.handoff.domain.InstanceKey;
import dev.handoff.runbook.OperatorDecision;
import dev.handoff.runbook.RunbookSteps;
import dev.handoff.runbook.StepRecord;
import dev.handoff.runbook.WorkflowIds;
import dev.handoff.recovery.ClusterWatchWorkflow;
import dev.handoff.recovery.RecoveryWorkflow;
import dev.handoff.recovery.RecoveryRequest;
import dev.handoff.recovery.WatchMode;
import dev.handoff.recovery.WatchStatus;
import dev.handoff.switchover.SwitchoverWorkflow;
import dev.handoff.switchover.SwitchoverRequest;
import dev.handoff.worker.Runbooks;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.failure.ApplicationFailure;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code handoff failover ...}: start failovers and follow them. */
@Command(name = "failover", mixinStandardHelpOptions = true, description = "Move a cluster's primary.",
    subcommands = {FailoverCommand.Planned.class, FailoverCommand.Unplanned.class, FailoverCommand.Status.class,
        FailoverCommand.Retry.class, FailoverCommand.Abandon.class})
final class FailoverCommand implements Runnable {
  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  /** Exit code of a failover that was refused, rolled back or stopped after promotion. */
  static final int NOT_DONE = 4;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(name = "planned", mixinStandardHelpOptions = true,
      description = "Planned switchover: move the primary to a named replica or to the best one.")
  static final class Planned implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--cluster", required = true, description = "The cluster to switch over.")
    String cluster;

    @Option(names = "--to", description = "The replica to promote, as HOST:PORT (default: the best one).")
    String to;

    @Option(names = "--dry-run", description = "Run the pre-checks and print the plan; change nothing.")
    boolean dryRun;

    @Option(names = "--wait", description = "Wait for the switchover to finish, printing each step.")
    boolean waitForIt;

    @Override
    public Integer call() {
      HandoffConfig cfg = config.load();
      ClusterSettings c = cfg.requireCluster(cluster);
      InstanceKey candidate = null;
      if (to != null) {
        try {
          candidate = InstanceKey.parse(to);
        } catch (IllegalArgumentException e) {
          throw new CliException("--to: " + e.getMessage());
        }
        if (c.instance(candidate.toString()).isEmpty()) {
          throw new CliException("--to " + to + " is not an instance of " + cluster + "; its instances are "
              + c.instances().stream().map(i -> i.key()).toList());
        }
      }
      String id = dryRun ? WorkflowIds.dryRun(cluster) : WorkflowIds.failover(cluster);
      try (TemporalConnection t = new TemporalConnection(cfg)) {
        SwitchoverWorkflow wf = Runbooks.planned(t.client, cfg, id);
        try {
          WorkflowClient.start(wf::switchover, new SwitchoverRequest(cluster, candidate, dryRun));
        } catch (WorkflowExecutionAlreadyStarted e) {
          throw new CliException("a failover of " + cluster + " is already running: workflow " + id + " (run "
              + e.getExecution().getRunId() + "); follow it in the Web UI"
              + (cfg.temporal().webUi() == null ? "" : " " + cfg.temporal().webUi()) + " or wait for it to end");
        }
        System.out.println((dryRun ? "dry run " : "switchover ") + "of " + cluster + " started: workflow " + id);
        if (!dryRun && !waitForIt) {
          System.out.println("follow it: ./handoff failover planned ... --wait, or the Temporal Web UI"
              + (cfg.temporal().webUi() == null ? "" : " " + cfg.temporal().webUi()));
          return 0;
        }
        return follow(t.client.newUntypedWorkflowStub(id), System.out);
      }
    }
  }

  @Command(name = "unplanned", mixinStandardHelpOptions = true,
      description = "Recover a cluster whose primary is dead, now: a forced recovery, which skips what holds the"
          + " watch's automatic recovery back (the cooldown, the back-off after an attempt that promoted nothing,"
          + " maintenance) but not the confirmation: the primary's death is confirmed first (unreachable from the"
          + " worker and every reachable replica agrees). If it promotes, the watch's cooldown starts, as after an"
          + " automatic recovery.")
  static final class Unplanned implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--cluster", required = true, description = "The cluster to recover.")
    String cluster;

    @Override
    public Integer call() {
      HandoffConfig cfg = config.load();
      cfg.requireCluster(cluster);
      String id = WorkflowIds.failover(cluster);
      try (TemporalConnection t = new TemporalConnection(cfg)) {
        String skipped = skippedHold(watchStatus(t.client, cluster), System.currentTimeMillis());
        if (skipped != null) {
          System.out.println(skipped);
        }
        RecoveryWorkflow wf = Runbooks.unplanned(t.client, cfg, id);
        try {
          WorkflowClient.start(wf::recover, new RecoveryRequest(cluster, true, "operator: handoff failover unplanned"));
        } catch (WorkflowExecutionAlreadyStarted e) {
          throw new CliException("a failover of " + cluster + " is already running: workflow " + id
              + "; follow it in the Web UI or wait for it to end");
        }
        System.out.println("unplanned failover of " + cluster + " started: workflow " + id);
        return follow(t.client.newUntypedWorkflowStub(id), System.out);
      }
    }
  }

  /** The watch's status, or null when there is none or it does not answer within a few seconds. */
  static WatchStatus watchStatus(WorkflowClient client, String cluster) {
    ClusterWatchWorkflow watch = client.newWorkflowStub(ClusterWatchWorkflow.class, WorkflowIds.watch(cluster));
    try {
      return CompletableFuture.supplyAsync(watch::status).get(3, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
      return null; // no watch (or no worker to answer): nothing is held back that a forced recovery skips
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /**
   * What holds the watch's automatic recovery back now, which a forced recovery skips; null when nothing does.
   */
  static String skippedHold(WatchStatus s, long nowMillis) {
    if (s == null) {
      return null;
    }
    List<String> holds = new ArrayList<>();
    if (s.mode() == WatchMode.MAINTENANCE) {
      holds.add("maintenance mode is on");
    }
    if (s.mode() == WatchMode.STOPPED) {
      holds.add("the watch is stopped");
    }
    if (s.blockedUntilMillis() > nowMillis) {
      holds.add("the cooldown after the last recovery lasts until " + Instant.ofEpochMilli(s.blockedUntilMillis()));
    }
    if (s.retryNotBeforeMillis() > nowMillis) {
      holds.add("the back-off after an attempt that promoted nothing lasts until "
          + Instant.ofEpochMilli(s.retryNotBeforeMillis()));
    }
    if (holds.isEmpty()) {
      return null;
    }
    return "automatic recovery of " + s.cluster() + " is held back (" + String.join("; ", holds) + "): this recovery"
        + " is forced and skips that; the primary's death is still confirmed first";
  }

  /** The running (or last) failover of a cluster, for status, retry and abandon. */
  abstract static class Existing implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--cluster", required = true, description = "The cluster.")
    String cluster;

    abstract int act(WorkflowStub stub, RunbookProgress progress);

    @Override
    public Integer call() {
      HandoffConfig cfg = config.load();
      cfg.requireCluster(cluster);
      String id = WorkflowIds.failover(cluster);
      try (TemporalConnection t = new TemporalConnection(cfg)) {
        WorkflowStub stub = t.client.newUntypedWorkflowStub(id);
        RunbookProgress p;
        try {
          p = stub.query("progress", RunbookProgress.class);
        } catch (io.temporal.client.WorkflowNotFoundException e) {
          throw new CliException("no failover of " + cluster + " was ever started (workflow " + id + ")");
        }
        return act(stub, p);
      }
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "The state, the current step and what each finished step found, of a cluster's last failover.")
  static final class Status extends Existing {
    @Override
    int act(WorkflowStub stub, RunbookProgress p) {
      System.out.println("failover-" + cluster + ": " + p.state() + (p.currentStep() == null ? "" : ", at "
          + p.currentStep()) + (p.oldPrimary() == null ? "" : ", " + p.oldPrimary() + " -> "
          + (p.newPrimary() == null ? "?" : p.newPrimary())));
      printSteps(p, 0, System.out);
      if (p.detail() != null) {
        System.out.println((p.failureType() == null ? "" : "[" + p.failureType() + "] ") + p.detail());
        printMeaning(p.failureType(), System.out);
      }
      return 0;
    }
  }

  /** Sends an operator decision to a failover waiting after a failed step. */
  abstract static class Decision extends Existing {
    abstract OperatorDecision decision();

    /**
     * Sent as an update: the runbook refuses it, to this caller and with nothing changed, unless it waits for a
     * decision at the moment it receives it (a decision sent just after another, or after the runbook moved
     * on, is refused rather than dropped).
     */
    @Override
    int act(WorkflowStub stub, RunbookProgress p) {
      if (!RunbookState.WAITING_FOR_OPERATOR.equals(p.state())) {
        throw new CliException("the failover of " + cluster + " is " + p.state()
            + ", not waiting for an operator; nothing was sent");
      }
      String accepted;
      try {
        accepted = stub.update("decision", String.class, decision());
      } catch (WorkflowUpdateException e) {
        String why = e.getCause() instanceof ApplicationFailure f ? f.getOriginalMessage() : e.getMessage();
        throw new CliException(decision().wireName() + " refused by failover-" + cluster + ": " + why);
      }
      System.out.println(accepted);
      return 0;
    }
  }

  @Command(name = "retry", mixinStandardHelpOptions = true,
      description = "Run the failed step of a failover that waits for an operator again.")
  static final class Retry extends Decision {
    @Override
    OperatorDecision decision() {
      return OperatorDecision.RETRY;
    }
  }

  @Command(name = "abandon", mixinStandardHelpOptions = true,
      description = "End a failover that waits for an operator; it lists the steps left to do by hand.")
  static final class Abandon extends Decision {
    @Override
    OperatorDecision decision() {
      return OperatorDecision.ABANDON;
    }
  }

  /**
   * Prints each step as it finishes, then the outcome; returns the exit code. {@code stub} names the workflow
   * ID only (no run): its result and its progress query follow a switchover that handed over to a recovery
   * into the recovery's run, whose steps continue the switchover's.
   */
  static int follow(WorkflowStub stub, PrintStream out) {
    CompletableFuture<RunbookProgress> result = stub.getResultAsync(RunbookProgress.class);
    java.util.function.Supplier<RunbookProgress> query = () -> stub.query("progress", RunbookProgress.class);
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
          out.println("failover COMPLETED: " + done.oldPrimary() + " -> " + done.newPrimary());
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
        out.println("failover " + (last == null ? "FAILED" : last.state()) + " [" + type + "]: " + message);
        printMeaning(type, out);
        return NOT_DONE;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        out.println("stopped following; the switchover goes on in the workflow");
        return 1;
      }
    }
  }

  /** What a failure type means, one line under the failure; every type Handoff raises has one. */
  static String meaning(FailureType type) {
    return type == null ? null : "  " + type.wireName() + ": " + type.meaning();
  }

  private static void printMeaning(FailureType type, PrintStream out) {
    String m = meaning(type);
    if (m != null) {
      out.println(m);
    }
  }

  private static int printSteps(RunbookProgress p, int from, PrintStream out) {
    for (int i = from; i < p.steps().size(); i++) {
      StepRecord s = p.steps().get(i);
      out.printf("  [%s] %s (%d ms): %s%n", s.outcome(), s.name(), s.millis(), s.detail());
    }
    return Math.max(from, p.steps().size());
  }
}
