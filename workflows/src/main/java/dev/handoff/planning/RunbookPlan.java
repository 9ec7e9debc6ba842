package dev.handoff.planning;

import dev.handoff.domain.InstanceKey;
import dev.handoff.domain.Topology;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The ordered steps a workflow will take, built before it takes them, so {@code --dry-run} can print
 * the runbook and the workflow can name its steps the same way.
 *
 * @param kind planned switchover or unplanned failover
 * @param cluster the cluster
 * @param oldPrimary the primary being replaced
 * @param candidate the new primary; null when it is chosen during the run
 * @param steps the steps, numbered from 1
 * @param pointOfNoReturn the step name from which a failure no longer rolls back
 */
public record RunbookPlan(
    Kind kind, String cluster, InstanceKey oldPrimary, InstanceKey candidate, List<Step> steps, String pointOfNoReturn) {

  /** Which runbook. */
  public enum Kind { SWITCHOVER, RECOVERY }

  /** One step: its number, stable name, and what it does here. */
  public record Step(int number, String name, String description) {}

  public static final String PRECHECK = "precheck";
  public static final String MOVE_REPLICAS = "move-replicas";
  public static final String SET_READ_ONLY_AND_WAIT = "set-read-only-and-wait";
  public static final String PROMOTE = "promote";
  public static final String PUBLISH_TOPOLOGY = "publish-topology";
  public static final String REPOINT_HAPROXY = "repoint-haproxy";
  public static final String RESTART_HEARTBEAT = "restart-heartbeat";
  public static final String REJOIN_OLD_PRIMARY = "rejoin-old-primary";
  public static final String CONFIRM_DEAD = "confirm-dead";
  public static final String FENCE_OLD_PRIMARY = "fence-old-primary";
  public static final String CHOOSE_CANDIDATE = "choose-candidate";
  public static final String CATCH_UP = "catch-up";
  public static final String STOP_RECEIVING = "stop-receiving";
  public static final String OLD_PRIMARY = "old-primary";

  public RunbookPlan {
    steps = steps == null ? List.of() : List.copyOf(steps);
  }

  /** Steps 1-8 of a planned switchover; {@code candidate} null means "best eligible, chosen at precheck". */
  public static RunbookPlan switchover(Topology topology, InstanceKey candidate) {
    requireCandidate(topology, candidate);
    InstanceKey old = topology.primary();
    String cand = candidate == null ? "the best eligible replica" : candidate.toString();
    List<InstanceKey> others = topology.replicas().stream().filter(r -> !r.equals(candidate)).toList();
    String moved = candidate == null ? "the other replicas" : others.isEmpty() ? "no other replicas" : join(others);
    List<Step> steps = List.of(
        new Step(1, PRECHECK, "check " + cand + " (reachable, replicating, lag, no DDL, no errant GTIDs, promotion rule), "
            + "long DML on " + old + ", every remote HAProxy; refuse on any failure, change nothing"),
        new Step(2, MOVE_REPLICAS, "move " + moved + " under " + cand + " by GTID, each once " + cand + " has everything it has"),
        new Step(3, SET_READ_ONLY_AND_WAIT, "check the KV store takes a write at epoch " + topology.epoch() + ", set " + old
            + " read-only (a bounded lock wait), wait until " + cand + " has executed every transaction " + old + " has"),
        new Step(4, PROMOTE, "check the KV store takes a write again, stop and reset replication on " + cand
            + ", make it writable"),
        new Step(5, REPOINT_HAPROXY, "point every remote HAProxy writer backend at " + cand + " and verify it routes there"),
        new Step(6, PUBLISH_TOPOLOGY, "beside the repoint: write primary " + cand + " of cluster " + topology.cluster()
            + " to the KV store in one transaction, epoch " + topology.epoch() + " -> " + (topology.epoch() + 1)),
        new Step(7, RESTART_HEARTBEAT, "point pt-heartbeat at " + cand + " on every replica host, restart it, verify heartbeats advance"),
        new Step(8, REJOIN_OLD_PRIMARY, "make " + old + " a replica of " + cand));
    return new RunbookPlan(Kind.SWITCHOVER, topology.cluster(), old, candidate, steps, PROMOTE);
  }

  /** The steps of an unplanned failover of a dead primary; {@code candidate} null means "chosen at step 3". */
  public static RunbookPlan recovery(Topology topology, InstanceKey candidate) {
    requireCandidate(topology, candidate);
    InstanceKey old = topology.primary();
    String cand = candidate == null ? "the chosen replica" : candidate.toString();
    List<Step> steps = List.of(
        new Step(1, CONFIRM_DEAD, "confirm " + old + " is unreachable and every reachable replica agrees"),
        new Step(2, STOP_RECEIVING, "stop every replica's IO thread from " + old + " (beside the confirmation when the"
            + " watch confirmed it already), so no step waits on a frozen primary; resumed if nothing is promoted"),
        new Step(3, FENCE_OLD_PRIMARY, "remove " + old + " from every HAProxy writer backend"),
        new Step(4, CHOOSE_CANDIDATE, "choose " + cand + ": most advanced by received GTIDs, within promotion rules, no errant transactions"),
        new Step(5, CATCH_UP, "let " + cand + " apply its relay log (its SQL thread started if stopped), and catch up"
            + " from a replica that is ahead, if any, while it makes progress; if it cannot, take the next best replica"),
        new Step(6, PROMOTE, "wait (bounded) until the KV store takes a write at epoch " + topology.epoch()
            + ", stop and reset replication on " + cand + ", make it writable"),
        new Step(7, REPOINT_HAPROXY, "point every remote HAProxy writer backend at " + cand
            + " and verify it routes there (beside step 8): writes resume here"),
        new Step(8, PUBLISH_TOPOLOGY, "write primary " + cand + " of cluster " + topology.cluster()
            + " to the KV store in one transaction, epoch " + topology.epoch() + " -> " + (topology.epoch() + 1)
            + ", " + old + " left out of the replica pool"),
        new Step(9, MOVE_REPLICAS, "move the other replicas under " + cand + " by GTID beside steps 7 and 8, each"
            + " replicating stably; one that cannot be moved is left behind, reported and left out of the replica"
            + " pool, never waited on"),
        new Step(10, RESTART_HEARTBEAT, "point pt-heartbeat at " + cand + " on every replica host, restart it, verify heartbeats advance"),
        new Step(11, OLD_PRIMARY, "set " + old + " read-only if it answers and report any transaction it has that "
            + cand + " lacks; it stays out of the cluster until an operator adds it back"));
    return new RunbookPlan(Kind.RECOVERY, topology.cluster(), old, candidate, steps, FENCE_OLD_PRIMARY);
  }

  /** Human-readable runbook, one numbered line per step, for {@code --dry-run}. */
  public String render() {
    String head = (kind == Kind.SWITCHOVER ? "Switchover" : "Recovery")
        + " of cluster " + cluster + " from " + oldPrimary + " to " + (candidate == null ? "(chosen during the run)" : candidate)
        + "\n";
    String body = steps.stream()
        .map(s -> String.format("%2d. %-22s %s", s.number(), s.name(), s.description()))
        .collect(Collectors.joining("\n"));
    String tail = kind == Kind.SWITCHOVER
        ? "\nA failure up to and including '" + pointOfNoReturn + "' rolls back (old primary writable again); after it"
            + " the workflow goes forward."
        : "\nFrom '" + pointOfNoReturn + "' on the workflow only goes forward. A recovery that promotes starts the"
            + " watch's cooldown: no automatic recovery of " + cluster + " until it ends or an operator acknowledges it.";
    return head + body + tail;
  }

  /** The steps up to and including {@code name}, in order. */
  public List<Step> through(String name) {
    return steps.subList(0, indexOf(name) + 1);
  }

  /** The steps after {@code name}, in order. */
  public List<Step> after(String name) {
    return steps.subList(indexOf(name) + 1, steps.size());
  }

  private int indexOf(String name) {
    List<String> names = stepNames();
    if (!names.contains(name)) {
      throw new IllegalArgumentException("no step " + name + " in " + names);
    }
    return names.indexOf(name);
  }

  /** The names of the steps, in order. */
  public List<String> stepNames() {
    return steps.stream().map(Step::name).toList();
  }

  /**
   * The candidate may be any instance but the primary: the worker's configuration, not the KV replica
   * pool, says which instances a cluster has (a failed-out instance that was repaired may not be listed).
   */
  private static void requireCandidate(Topology topology, InstanceKey candidate) {
    if (candidate != null && candidate.equals(topology.primary())) {
      throw new IllegalArgumentException(candidate + " is already the primary of cluster " + topology.cluster());
    }
  }

  private static String join(List<InstanceKey> keys) {
    return keys.stream().map(InstanceKey::toString).collect(Collectors.joining(", "));
  }
}
