package dev.handoff.switchover;

import dev.handoff.heartbeat.HeartbeatActivities;
import dev.handoff.cluster.ClusterActivities;
import dev.handoff.runbook.StepOutcome;
import dev.handoff.runbook.RunbookState;
import dev.handoff.runbook.RunbookProgress;
import dev.handoff.runbook.RunbookWorkflow;
import dev.handoff.cluster.ClusterDescription;
import dev.handoff.detection.DetectionActivities;
import dev.handoff.domain.StepDone;
import dev.handoff.domain.AnalysisCode;
import dev.handoff.domain.FailureType;
import dev.handoff.domain.InstanceKey;
import dev.handoff.domain.InstanceSnapshot;
import io.temporal.failure.ApplicationFailure;
import dev.handoff.domain.Topology;
import dev.handoff.haproxy.HaproxyActivities;
import dev.handoff.mysql.MysqlActivities;
import dev.handoff.planning.DetectionResult;
import dev.handoff.kv.TopologyActivities;
import dev.handoff.planning.RunbookPlan;
import dev.handoff.planning.SwitchoverChecks;
import dev.handoff.planning.SwitchoverDecision;
import dev.handoff.planning.SwitchoverLimits;
import dev.handoff.recovery.RecoveryWorkflow;
import dev.handoff.recovery.RecoveryRequest;
import dev.handoff.runbook.RunbookOptions;
import dev.handoff.runbook.RunbookSteps;
import dev.handoff.runbook.RunbookStubs;
import dev.handoff.runbook.UndoLog;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Steps 1-8 of a planned switchover. Before promotion every change registers its undo first, and a
 * failure rolls back (the old primary writable again); from promotion on, steps retry until done.
 */
public class SwitchoverWorkflowImpl extends RunbookWorkflow implements SwitchoverWorkflow {
  /** The KV writability checks before the points of no return. */
  private RunbookStubs kvCheckStubs;
  /** The KV check before read-only, a task-queue activity in every version. */
  private final RunbookStubs kvCheckTasks = new RunbookStubs(RunbookOptions.KV_CHECK);

  /** What an operator does about a KV store that does not answer before a switchover. */
  static final String KV_TO_DO = "bring the KV store back (or fix kv.endpoints in the config), then run the"
      + " switchover again; HAProxy follows the topology in the KV store, so a primary that cannot be published"
      + " there is one no client reaches";

  /** How long the candidate may take to execute the old primary's last transactions. */
  static final int CATCH_UP_SECONDS = 30;

  /** How far apart the probes that confirm the old primary's death are. */
  static final Duration DEATH_RECHECK = Duration.ofMillis(500);
  /**
   * At most this many probes confirm it: enough to outlast the replicas' {@code slave_net_timeout} (4 s) when
   * the primary froze rather than died, so an unreachable primary is confirmed (or not) before rolling back.
   */
  static final int DEATH_PROBES = 12;

  /** The step that hands a switchover whose old primary died over to the unplanned runbook. */
  public static final String HANDOVER = "handover";

  /** What the pre-checks read: the configuration, the KV topology and every instance, read before anything changes. */
  private record Facts(ClusterDescription desc, Topology topology, List<InstanceSnapshot> states) {}

  /** The instances besides the old and the new primary: the reachable ones move, the others are skipped. */
  private record Others(List<InstanceKey> reachable, List<String> skipped) {}

  @Override
  public RunbookProgress switchover(SwitchoverRequest request) {
    cluster = request.cluster();
    kvCheckStubs = new RunbookStubs(RunbookOptions.KV_CHECK, pickSteps());
    Facts facts = readFacts();
    oldPrimary = facts.topology().primary();
    newPrimary = precheck(request, facts.desc(), facts.topology(), facts.states()).candidate();
    RunbookPlan runbook = RunbookPlan.switchover(facts.topology(), newPrimary);
    plan = runbook.render();
    if (request.dryRun()) {
      return finish(RunbookState.DRY_RUN);
    }
    UndoLog undo = new UndoLog();
    Map<String, Runnable> bodies = bodies(facts, others(facts.states()), undo, runbook.stepNames());
    runUntilPromoted(runbook, bodies, facts.topology(), undo);
    try {
      if (localSteps) {
        // Writes resume once every writer frontend routes to the new primary: the topology is published beside
        // that, not before it.
        Promise<Void> published = Async.procedure(bodies.get(RunbookPlan.PUBLISH_TOPOLOGY)::run);
        bodies.get(RunbookPlan.REPOINT_HAPROXY).run();
        published.get();
      } else {
        // Runs recorded before the local steps published first, then repointed.
        bodies.get(RunbookPlan.PUBLISH_TOPOLOGY).run();
        bodies.get(RunbookPlan.REPOINT_HAPROXY).run();
      }
      // Then pt-heartbeat and the old primary's rejoin.
      runbook.after(RunbookPlan.PROMOTE).stream().map(RunbookPlan.Step::name)
          .filter(n -> !n.equals(RunbookPlan.PUBLISH_TOPOLOGY) && !n.equals(RunbookPlan.REPOINT_HAPROXY))
          .forEach(n -> bodies.get(n).run());
    } catch (RunbookSteps.Stopped stopped) {
      throw end(stopped.state, stopped.failureType, stopped.getMessage());
    }
    return finish(RunbookState.COMPLETED);
  }

  /** The pre-checks' reads; any that fails refuses the switchover with nothing changed. */
  private Facts readFacts() {
    try {
      ClusterDescription desc = steps.run(RunbookPlan.PRECHECK + ":config", () -> probeStubs.cluster.describeCluster(new ClusterActivities.DescribeCluster(cluster)),
          d -> d.instances().size() + " instances, " + d.remoteHaproxies().size() + " remote HAProxies");
      Topology topology = steps.run(RunbookPlan.PRECHECK + ":topology", () -> probeStubs.kv.readTopology(new TopologyActivities.ReadTopology(cluster)),
          t -> "KV primary " + t.primary() + " at epoch " + t.epoch());
      List<InstanceSnapshot> states = steps.run(RunbookPlan.PRECHECK + ":inspect",
          () -> probeStubs.mysql.inspectCluster(new MysqlActivities.InspectCluster(cluster)).instances(), RunbookSteps::describeStates);
      return new Facts(desc, topology, states);
    } catch (TemporalFailure e) {
      FailureType type = RunbookSteps.failureType(e);
      throw end(RunbookState.REFUSED, type, RunbookSteps.message(e)
          + (type == FailureType.KV_UNAVAILABLE ? "; nothing was changed: " + KV_TO_DO : ""));
    }
  }

  private Others others(List<InstanceSnapshot> states) {
    List<InstanceKey> reachable = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    for (InstanceSnapshot s : states) {
      if (!s.key().equals(oldPrimary) && !s.key().equals(newPrimary)) {
        if (s.reachable()) {
          reachable.add(s.key());
        } else {
          skipped.add(s.key().toString());
        }
      }
    }
    return new Others(reachable, skipped);
  }

  /**
   * The body of every step of the plan after the pre-check, by step name: the plan is the list the workflow
   * runs. Up to the promotion every change registers its undo first; after it, each step goes forward.
   */
  private Map<String, Runnable> bodies(Facts facts, Others others, UndoLog undo, List<String> planned) {
    Topology topology = facts.topology();
    List<InstanceKey> newReplicas = newReplicas(topology, others);
    String situation = newPrimary + " is the primary";
    Map<String, Runnable> bodies = new LinkedHashMap<>();
    bodies.put(RunbookPlan.MOVE_REPLICAS, () -> steps.run(RunbookPlan.MOVE_REPLICAS, () -> moveReplicas(others, undo),
        d -> d));
    bodies.put(RunbookPlan.SET_READ_ONLY_AND_WAIT, () -> {
      // Checked before read-only, so a KV store already gone costs no write outage at all. A task-queue activity
      // with local steps too: the pre-checks and the moves are recorded before the write outage begins, so a
      // successor never runs the pre-checks again against an old primary it finds read-only.
      kvWritable(kvCheckTasks, topology, "before-read-only");
      steps.run(RunbookPlan.SET_READ_ONLY_AND_WAIT, () -> {
        undo.register("make " + oldPrimary + " writable again", () -> mutationStubs.mysql.setReadOnly(new MysqlActivities.SetReadOnly(cluster, oldPrimary, false)).gtidPosition());
        String position = mutationStubs.mysql.setReadOnly(new MysqlActivities.SetReadOnly(cluster, oldPrimary, true)).gtidPosition();
        return catchUpStubs.mysql.waitForGtid(new MysqlActivities.WaitForGtid(cluster, newPrimary, position, CATCH_UP_SECONDS)).detail();
      }, d -> d);
    });
    bodies.put(RunbookPlan.PROMOTE, () -> {
      // Again right before the promotion: HAProxy follows the KV store, so a primary it cannot publish is one
      // nobody reaches.
      kvWritable(kvCheckStubs, topology, "before-promote");
      steps.run(RunbookPlan.PROMOTE, () -> {
        undo.register("make " + newPrimary + " a replica of " + oldPrimary + " again",
            () -> mutationStubs.mysql.rejoinAsReplica(new MysqlActivities.RejoinAsReplica(cluster, newPrimary, oldPrimary)).detail());
        return mutationStubs.mysql.promote(new MysqlActivities.Promote(cluster, newPrimary)).detail();
      }, d -> d);
    });
    bodies.put(RunbookPlan.PUBLISH_TOPOLOGY, () -> forward(RunbookPlan.PUBLISH_TOPOLOGY,
        () -> forwardStubs.kv.publishTopology(new TopologyActivities.PublishTopology(cluster, newPrimary, newReplicas, topology.epoch())).detail(), situation, planned));
    bodies.put(RunbookPlan.REPOINT_HAPROXY, () -> forward(RunbookPlan.REPOINT_HAPROXY, () -> onEach(
        facts.desc().remoteHaproxies(), h -> Async.function(forwardStubs.haproxy::repointWriter, new HaproxyActivities.RepointWriter(h, cluster, newPrimary)).thenApply(StepDone::detail)),
        situation, planned));
    bodies.put(RunbookPlan.RESTART_HEARTBEAT, () -> forward(RunbookPlan.RESTART_HEARTBEAT,
        () -> forwardStubs.heartbeat.restartHeartbeat(new HeartbeatActivities.RestartHeartbeat(cluster, newPrimary)).detail(), situation, planned));
    bodies.put(RunbookPlan.REJOIN_OLD_PRIMARY,
        () -> detail = rejoinOrLeaveBehind(facts.desc(), newReplicas, topology, situation, planned));
    return bodies;
  }

  private String moveReplicas(Others others, UndoLog undo) {
    List<String> moved = new ArrayList<>();
    for (InstanceKey r : others.reachable()) {
      undo.register("move " + r + " back under " + oldPrimary, () -> mutationStubs.mysql.moveReplica(new MysqlActivities.MoveReplica(cluster, r, oldPrimary)).detail());
      moved.add(mutationStubs.mysql.moveReplica(new MysqlActivities.MoveReplica(cluster, r, newPrimary)).detail());
    }
    if (!others.skipped().isEmpty()) {
      moved.add("skipped unreachable " + others.skipped() + ": repoint them to " + newPrimary + " when they are back");
    }
    return moved.isEmpty() ? "no other replica" : String.join("; ", moved);
  }

  private void kvWritable(RunbookStubs stubs, Topology topology, String where) {
    steps.run(KV_WRITABLE + ":" + where, () -> stubs.kv.checkWritable(new TopologyActivities.CheckWritable(cluster, topology.epoch(), 0)).detail(), d -> d);
  }

  /** The replica pool after the switchover: the others, the old primary, and the skipped ones that were in it. */
  private List<InstanceKey> newReplicas(Topology topology, Others others) {
    List<InstanceKey> newReplicas = new ArrayList<>(others.reachable());
    newReplicas.add(oldPrimary);
    for (String s : others.skipped()) {
      // Down now: it stays in the replica pool only if it was in it (one failed out earlier stays out).
      InstanceKey k = InstanceKey.parse(s);
      if (topology.replicas().contains(k)) {
        newReplicas.add(k);
      }
    }
    return newReplicas;
  }

  /**
   * Runs the plan's steps up to and including the promotion. A failure rolls every change back (the old
   * primary writable again), unless the old primary is found dead: then the switchover hands over to a recovery.
   */
  private void runUntilPromoted(RunbookPlan runbook, Map<String, Runnable> bodies, Topology topology, UndoLog undo) {
    try {
      runbook.through(RunbookPlan.PROMOTE).stream().filter(s -> !s.name().equals(RunbookPlan.PRECHECK))
          .forEach(step -> bodies.get(step.name()).run());
    } catch (TemporalFailure e) {
      String tookEffect = promotionPublished(topology);
      if (tookEffect != null) {
        // Re-run after the promotion took effect: going forward is the only way that keeps one writer.
        steps.done(PROMOTION_PUBLISHED, "not rolled back: step " + steps.failedStep() + " failed ("
            + RunbookSteps.message(e) + "), but " + tookEffect + ": this switchover published its promotion"
            + " before (a worker died, or a workflow task timed out, and the steps since read-only ran again);"
            + " going on with the routing");
        return;
      }
      throw rollBack(e, topology, undo);
    }
  }

  /** The step recorded when a failure before the promotion is found to follow this switchover's own publication. */
  public static final String PROMOTION_PUBLISHED = "promotion-published";

  /**
   * With local steps, what the KV store says when it already names the candidate as primary at a later epoch
   * than the switchover started from; null otherwise (and always for runs recorded before the local steps).
   * The steps from read-only to the publication run again when a worker dies or a workflow task times out
   * after them: the epoch check then finds this switchover's own publication, a stale epoch to it, and a
   * rollback would make the old primary writable while every writer frontend routes to the new one. Read
   * again just before rolling back, so a rollback never acts on the one observation that failed.
   */
  private String promotionPublished(Topology topology) {
    if (!localSteps) {
      return null;
    }
    try {
      Topology now = probeStubs.kv.readTopology(new TopologyActivities.ReadTopology(cluster));
      return now.primary().equals(newPrimary) && now.epoch() > topology.epoch()
          ? "the KV store names " + newPrimary + " as primary at epoch " + now.epoch() : null;
    } catch (TemporalFailure unreadable) {
      return null;
    }
  }

  /**
   * After a failed step before (or at) the promotion: hands over to a recovery when the old primary is
   * confirmed dead (never rolls back onto a dead primary), else undoes every change and ends the runbook.
   */
  private ApplicationFailure rollBack(TemporalFailure e, Topology topology, UndoLog undo) {
    FailureType type = RunbookSteps.failureType(e);
    String why = RunbookSteps.message(e);
    String failedTyped = "step " + steps.failedStep() + " failed [" + type + "] (" + why + ")";
    handOverIfDead(topology, failedTyped);
    steps.compensating();
    List<String> undoFailed = undo.undoAll();
    if (!undoFailed.isEmpty()) {
      handOverIfDead(topology, failedTyped + " and the rollback failed (" + String.join("; ", undoFailed) + ")");
      // Not ROLLED_BACK: the rollback did not finish, so the reason stays the step's own failure.
      return end(RunbookState.ROLLBACK_FAILED, type, "step " + steps.failedStep() + " failed (" + why + ") and the"
          + " rollback failed too (" + String.join("; ", undoFailed) + "); the other undos ran: check that "
          + oldPrimary + " is writable and its replicas follow it, then repair what failed");
    }
    steps.compensated();
    return end(RunbookState.ROLLED_BACK, type, "step " + steps.failedStep() + " failed: " + why + "; rolled back: "
        + oldPrimary + " is writable again and its replicas follow it"
        + (type == FailureType.KV_UNAVAILABLE ? ", nothing was promoted: " + KV_TO_DO : ""));
  }

  /**
   * Makes the old primary a replica of the new one. When it cannot, and it is found dead (unreachable on two
   * inspections {@link #DEATH_RECHECK} apart), it is left behind instead of holding the runbook: taken out of
   * the replica pool and the reader backends (epoch + 1), and reported with what to do; returns that report.
   * One that answers is retried and then held for the operator as any step after promotion. Null when rejoined.
   */
  private String rejoinOrLeaveBehind(ClusterDescription desc, List<InstanceKey> newReplicas, Topology topology,
      String situation, List<String> planned) {
    try {
      steps.run(RunbookPlan.REJOIN_OLD_PRIMARY, () -> tidyStubs.mysql.rejoinAsReplica(new MysqlActivities.RejoinAsReplica(cluster, oldPrimary, newPrimary)).detail(),
          d -> d);
      return null;
    } catch (TemporalFailure e) {
      String gone = oldPrimaryGone();
      if (gone == null) {
        forward(RunbookPlan.REJOIN_OLD_PRIMARY, () -> forwardStubs.mysql.rejoinAsReplica(new MysqlActivities.RejoinAsReplica(cluster, oldPrimary, newPrimary)).detail(),
            situation, planned);
        return null;
      }
      List<InstanceKey> readers = newReplicas.stream().filter(r -> !r.equals(oldPrimary)).toList();
      forward(RunbookPlan.PUBLISH_TOPOLOGY + ":replicas", () -> forwardStubs.kv.publishTopology(new TopologyActivities.PublishTopology(cluster, newPrimary,
          readers, topology.epoch() + 1)).detail() + "; " + onEach(desc.remoteHaproxies(),
          h -> Async.function(forwardStubs.haproxy::repointRoutes, new HaproxyActivities.RepointRoutes(h, cluster, newPrimary, readers)).thenApply(StepDone::detail)), situation, planned);
      return "The old primary died after the promotion. " + leftBehind(oldPrimary, "unreachable: " + gone)
          + "; before that, check it for transactions " + newPrimary + " lacks";
    }
  }

  /** Why the old primary is gone when two inspections {@link #DEATH_RECHECK} apart cannot reach it; else null. */
  private String oldPrimaryGone() {
    String why = null;
    for (int i = 0; i < 2; i++) {
      if (i > 0) {
        Workflow.sleep(DEATH_RECHECK);
      }
      InstanceSnapshot s;
      try {
        s = probeStubs.mysql.inspectCluster(new MysqlActivities.InspectCluster(cluster)).instances().stream().filter(x -> x.key().equals(oldPrimary)).findFirst()
            .orElse(null);
      } catch (TemporalFailure e) {
        return null;
      }
      if (s == null || s.reachable()) {
        return null;
      }
      why = s.error();
    }
    return why;
  }

  /**
   * When the old primary is confirmed dead (two probes {@link #DEATH_RECHECK} apart both find DeadPrimary of
   * the topology this switchover started from), the switchover ends here and continues as the unplanned
   * runbook under the same workflow ID, which confirms the death again, fences, catches up and promotes; its
   * result is what the switchover's caller gets. Returns when the primary is not confirmed dead.
   */
  private void handOverIfDead(Topology topology, String failed) {
    long t0 = Workflow.currentTimeMillis();
    String death = confirmedDeath(topology);
    if (death == null) {
      return;
    }
    String why = failed + ", and the old primary " + oldPrimary + " died (" + death + ")";
    steps.record(HANDOVER, StepOutcome.DONE, "not rolled back onto the dead primary: handed over to the unplanned"
        + " runbook; " + why, Workflow.currentTimeMillis() - t0);
    steps.finished();
    RecoveryWorkflow recovery = Workflow.newContinueAsNewStub(RecoveryWorkflow.class);
    recovery.recover(new RecoveryRequest(cluster, false, "planned switchover to " + newPrimary + ": " + why, 0,
        new RecoveryRequest.Handover(newPrimary.toString(), why, steps.records())));
  }

  /**
   * How the old primary's death was confirmed, or null when it was not: the first probe that finds anything
   * but a dead or unreachable primary, a probe that fails, or a topology that moved ends the check.
   */
  private String confirmedDeath(Topology topology) {
    int dead = 0;
    for (int probe = 0; probe < DEATH_PROBES; probe++) {
      if (probe > 0) {
        Workflow.sleep(DEATH_RECHECK);
      }
      DetectionResult r;
      try {
        r = probeStubs.detection.probeCluster(new DetectionActivities.ProbeCluster(cluster));
      } catch (TemporalFailure e) {
        return null;
      }
      boolean same = r.epoch() == topology.epoch() && r.affected().contains(oldPrimary);
      if (r.code() == AnalysisCode.DEAD_PRIMARY && same) {
        if (++dead >= 2) {
          return r.detail();
        }
      } else if (r.code() == AnalysisCode.UNREACHABLE_PRIMARY && same) {
        dead = 0; // not confirmed yet: the replicas notice a lost primary within their slave_net_timeout
      } else {
        return null;
      }
    }
    return null;
  }

  private SwitchoverDecision precheck(SwitchoverRequest request, ClusterDescription desc, Topology topology,
      List<InstanceSnapshot> states) {
    InstanceSnapshot primary = states.stream().filter(s -> s.key().equals(topology.primary())).findFirst().orElse(null);
    if (primary == null) {
      steps.failed(RunbookPlan.PRECHECK, "KV primary " + topology.primary() + " is not a configured instance");
      throw end(RunbookState.REFUSED, FailureType.TOPOLOGY_MISMATCH, "the KV store names " + topology.primary()
          + " as primary of " + cluster + ", which the configuration does not list; fix the topology first");
    }
    List<String> writable = states.stream().filter(s -> s.reachable() && !s.readOnly())
        .map(s -> s.key().toString()).toList();
    if (primary.reachable() && !writable.equals(List.of(primary.key().toString()))) {
      steps.failed(RunbookPlan.PRECHECK, "writable instances " + writable);
      throw end(RunbookState.REFUSED, FailureType.TOPOLOGY_MISMATCH, "expected only the KV primary "
          + primary.key() + " to be writable, found " + writable + "; fix the topology before switching over");
    }
    Map<String, Boolean> answers = new LinkedHashMap<>();
    Map<String, Promise<Boolean>> pings = new LinkedHashMap<>();
    for (String h : desc.remoteHaproxies()) {
      pings.put(h, Async.function(probeStubs.haproxy::pingHaproxy, new HaproxyActivities.PingHaproxy(h)).thenApply(HaproxyActivities.PingResult::answers));
    }
    pings.forEach((h, p) -> {
      try {
        answers.put(h, p.get());
      } catch (TemporalFailure e) {
        answers.put(h, false);
      }
    });
    List<InstanceSnapshot> replicas = states.stream().filter(s -> !s.key().equals(primary.key())).toList();
    SwitchoverDecision decision = SwitchoverChecks.evaluate(primary, replicas, request.candidate(),
        new SwitchoverLimits(desc.maxLagSeconds(), desc.maxDmlSeconds()), answers);
    if (decision.refused()) {
      steps.failed(RunbookPlan.PRECHECK, decision.report().failures().toString());
      throw end(RunbookState.REFUSED, decision.failureType(), decision.detail());
    }
    steps.done(RunbookPlan.PRECHECK, "candidate " + decision.candidate() + ": " + decision.report().checks().size()
        + " checks passed");
    return decision;
  }
}
