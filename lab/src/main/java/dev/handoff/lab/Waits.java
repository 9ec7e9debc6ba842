package dev.handoff.lab;

import dev.handoff.domain.AnalysisCode;
import dev.handoff.client.Runbooks;
import dev.handoff.client.Watches;
import dev.handoff.config.HandoffConfig;
import dev.handoff.process.LocalProcess;
import dev.handoff.recovery.WatchStatus;
import dev.handoff.runbook.RunbookProgress;
import dev.handoff.runbook.StepRecord;
import dev.handoff.runbook.WorkflowIds;
import dev.handoff.status.ClusterStatus;
import dev.handoff.status.InstanceStatus;
import dev.handoff.status.StatusReport;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.client.WorkflowClient;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Bounded waits on a lab for tests and benches, and what they say when a bound is hit: the failover's
 * progress, the cluster's state (roles, read_only, sources, KV primary and epoch, HAProxy routes, the
 * invariants it breaks) and its watch's status. A wedged runbook then fails in seconds with its reason
 * instead of hanging the build.
 */
public final class Waits {
  /** How long one describe call of the diagnostics may take: they must never be what hangs. */
  private static final long RPC_SECONDS = 5;

  private Waits() {}

  /**
   * The result of the failover runbook {@code workflowId} of {@code cluster}, waiting at most
   * {@code timeout}. A failed runbook throws WorkflowFailedException as getResult does; one still running
   * at the timeout throws an AssertionError carrying {@link #diagnostics}.
   */
  public static RunbookProgress result(WorkflowClient client, HandoffConfig config, String cluster,
      String workflowId, Duration timeout) {
    try {
      return client.newUntypedWorkflowStub(workflowId)
          .getResult(timeout.toMillis(), TimeUnit.MILLISECONDS, RunbookProgress.class);
    } catch (TimeoutException e) {
      throw new AssertionError(workflowId + " did not finish within " + timeout.toSeconds() + " s\n"
          + diagnostics(client, config, cluster));
    }
  }

  /** The cluster's status once it is healthy, or as it is at the timeout (the caller judges it). */
  public static ClusterStatus healthy(HandoffConfig config, String cluster, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    ClusterStatus s = status(config, cluster);
    while (!s.healthy() && System.nanoTime() < deadline) {
      LocalProcess.sleep(100);
      s = status(config, cluster);
    }
    return s;
  }

  /**
   * Waits until {@code ready} holds (a check that throws counts as not yet: the watch may not be picked up
   * yet); at the timeout an AssertionError naming {@code what}, with the {@link #diagnostics}.
   */
  public static void until(WorkflowClient client, HandoffConfig config, String cluster, BooleanSupplier ready,
      Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (ready.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException notYet) {
        // asked again below
      }
      LocalProcess.sleep(100);
    }
    throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what + "\n"
        + diagnostics(client, config, cluster));
  }

  /** Waits until the cluster's watch reports {@code code} (e.g. NoProblem) and returns its status then. */
  public static WatchStatus analysis(WorkflowClient client, HandoffConfig config, String cluster, String code,
      Duration timeout) {
    until(client, config, cluster, () -> watch(client, cluster).lastAnalysis() == AnalysisCode.fromString(code), timeout,
        "the watch of " + cluster + " to report " + code);
    return watch(client, cluster);
  }

  public static ClusterStatus status(HandoffConfig config, String cluster) {
    return StatusReport.read(config).clusters().stream().filter(c -> c.name().equals(cluster)).findFirst()
        .orElseThrow(() -> new LabException("no cluster " + cluster + " in the status report"));
  }

  /** The running watch's status (throws when no watch runs). */
  public static WatchStatus watch(WorkflowClient client, String cluster) {
    return Watches.running(client, cluster).status();
  }

  /**
   * Everything a test prints when a wait runs out: the failover and dry-run workflows of the cluster
   * (status, progress query, pending activities with their last failure), the cluster's status and the
   * watch's. Never throws: a part that cannot be read says why.
   */
  public static String diagnostics(WorkflowClient client, HandoffConfig config, String cluster) {
    StringBuilder b = new StringBuilder("--- diagnostics of " + cluster + " at " + Instant.now() + "\n");
    runbook(b, client, WorkflowIds.failover(cluster));
    runbook(b, client, WorkflowIds.dryRun(cluster));
    b.append("cluster status:\n");
    try {
      ClusterStatus s = status(config, cluster);
      b.append(indent(topology(s)));
      for (InstanceStatus i : s.instances()) {
        b.append("  ").append(i.key()).append(" gtid ").append(i.gtidExecuted()).append(" received ")
            .append(i.gtidReceived()).append(" heartbeat age ").append(i.heartbeatAgeSeconds())
            .append(i.error() == null ? "" : " error: " + i.error()).append('\n');
      }
      b.append("  kv replicas ").append(s.kvReplicas()).append(s.kvError() == null ? "" : " kv error: " + s.kvError())
          .append('\n');
      s.routes().forEach(r -> b.append("  ").append(r.haproxy()).append(" readers ").append(r.readers())
          .append(r.error() == null ? "" : " error: " + r.error()).append('\n'));
      b.append("  problems ").append(s.problems()).append('\n');
    } catch (RuntimeException e) {
      b.append("  unreadable: ").append(e).append('\n');
    }
    b.append("watch ").append(WorkflowIds.watch(cluster)).append(":\n");
    try {
      WatchStatus w = watch(client, cluster);
      b.append("  mode ").append(w.mode().wireName()).append(", last analysis ").append(w.lastAnalysis()).append(": ")
          .append(w.lastDetail()).append("\n  recoveries ").append(w.recoveries()).append(" (last: ")
          .append(w.lastRecovery()).append("), blocked until ").append(w.blockedUntilMillis()).append('\n');
      w.events().forEach(e -> b.append("  event ").append(e).append('\n'));
      pendingActivities(b, client, WorkflowIds.watch(cluster));
    } catch (RuntimeException e) {
      b.append("  not readable (no watch running?): ").append(e.getMessage()).append('\n');
    }
    return b.append("---").toString();
  }

  /**
   * The part of a cluster's status that a refused request must leave exactly as it was: roles,
   * read_only, sources, replication threads, KV primary and epoch, writer routes.
   */
  public static String topology(ClusterStatus s) {
    StringBuilder b = new StringBuilder();
    for (InstanceStatus i : s.instances()) {
      b.append(i.key()).append(' ').append(i.role()).append(" ro=").append(i.readOnly()).append(" src=")
          .append(i.source()).append(" io=").append(i.ioRunning()).append(" sql=").append(i.sqlRunning()).append('\n');
    }
    b.append("kv ").append(s.kvPrimary()).append(" epoch ").append(s.kvEpoch()).append('\n');
    s.routes().forEach(r -> b.append(r.haproxy()).append(" writers ").append(r.writers()).append('\n'));
    return b.toString();
  }

  private static void runbook(StringBuilder b, WorkflowClient client, String workflowId) {
    b.append("workflow ").append(workflowId).append(": ");
    DescribeWorkflowExecutionResponse d;
    try {
      d = describe(client, workflowId);
    } catch (RuntimeException e) {
      b.append("none (").append(e.getMessage()).append(")\n");
      return;
    }
    b.append(d.getWorkflowExecutionInfo().getStatus()).append(", run ")
        .append(d.getWorkflowExecutionInfo().getExecution().getRunId()).append('\n');
    try {
      // Bounded: a query waits for a worker to answer it, and the one that ran this runbook may be gone.
      RunbookProgress p = java.util.concurrent.CompletableFuture.supplyAsync(
          () -> Runbooks.control(client, workflowId).progress()).get(5, TimeUnit.SECONDS);
      b.append("  progress ").append(p.state()).append(" at ").append(p.currentStep()).append(", ")
          .append(p.oldPrimary()).append(" -> ").append(p.newPrimary());
      if (p.failureType() != null || p.detail() != null) {
        b.append(" [").append(p.failureType()).append("] ").append(p.detail());
      }
      b.append('\n');
      for (StepRecord s : p.steps()) {
        b.append("  step ").append(s.name()).append(' ').append(s.outcome()).append(" in ").append(s.millis())
            .append(" ms").append(s.detail() == null ? "" : ": " + s.detail()).append('\n');
      }
    } catch (RuntimeException | java.util.concurrent.ExecutionException | TimeoutException e) {
      b.append("  progress not readable: ").append(e instanceof TimeoutException ? "no answer within 5 s" : e.getMessage())
          .append('\n');
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    appendPending(b, d);
  }

  private static void pendingActivities(StringBuilder b, WorkflowClient client, String workflowId) {
    try {
      appendPending(b, describe(client, workflowId));
    } catch (RuntimeException e) {
      b.append("  pending activities not readable: ").append(e.getMessage()).append('\n');
    }
  }

  private static void appendPending(StringBuilder b, DescribeWorkflowExecutionResponse d) {
    for (PendingActivityInfo a : d.getPendingActivitiesList()) {
      b.append("  pending activity ").append(a.getActivityType().getName()).append(' ').append(a.getState())
          .append(" attempt ").append(a.getAttempt());
      if (a.hasLastFailure()) {
        b.append(", last failure: ").append(a.getLastFailure().getMessage());
      }
      b.append('\n');
    }
  }

  private static DescribeWorkflowExecutionResponse describe(WorkflowClient client, String workflowId) {
    return client.getWorkflowServiceStubs().blockingStub().withDeadlineAfter(RPC_SECONDS, TimeUnit.SECONDS)
        .describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
            .setNamespace(client.getOptions().getNamespace())
            .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
            .build());
  }

  private static String indent(String lines) {
    return lines.lines().map(l -> "  " + l + "\n").reduce("", String::concat);
  }
}
