package dev.handoff.planning;

import dev.handoff.domain.InstanceKey;
import dev.handoff.domain.InstanceSnapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a recovery does with the replicas besides the one it promotes: the ones it moves under the new primary,
 * the ones it routes to and publishes from the start, and the ones it leaves behind (with why). A replica
 * listed is one clients may read from, so one expected not to replicate from the new primary (stopped on a
 * SQL error) is moved but not listed; an unreachable or errant one is left behind, never waited on. The
 * recovery takes out whoever its moves leave behind (and puts back one that moved after all) once they are
 * done. Pure: its results feed the recovery's commands.
 *
 * @param toMove the replicas to move under the new primary, in inspection order
 * @param listed the replicas routed to and published from the start
 * @param leftBehind the replicas left behind, with why (the moves add the ones that fail)
 */
public record RecoveryReplicas(List<InstanceKey> toMove, List<InstanceKey> listed,
    Map<InstanceKey, String> leftBehind) {

  /** Sorts the inspected instances other than the old and the new primary. */
  public static RecoveryReplicas of(List<InstanceSnapshot> states, InstanceKey oldPrimary, InstanceKey newPrimary) {
    List<InstanceSnapshot> replicas = states.stream().filter(s -> !s.key().equals(oldPrimary)).toList();
    Map<String, String> errant = CandidateSelector.errantReplicas(replicas, null);
    Map<InstanceKey, String> leftBehind = new LinkedHashMap<>();
    List<InstanceKey> toMove = new ArrayList<>();
    List<InstanceKey> listed = new ArrayList<>();
    for (InstanceSnapshot s : replicas) {
      if (s.key().equals(newPrimary)) {
        continue;
      }
      if (!s.reachable()) {
        leftBehind.put(s.key(), "unreachable: " + s.error());
      } else if (errant.containsKey(s.key().toString())) {
        leftBehind.put(s.key(), errant.get(s.key().toString()));
      } else {
        toMove.add(s.key());
        if (!sqlBroken(s)) {
          listed.add(s.key());
        }
      }
    }
    return new RecoveryReplicas(List.copyOf(toMove), List.copyOf(listed), leftBehind);
  }

  private static boolean sqlBroken(InstanceSnapshot s) {
    return s.replication() != null && !s.replication().sqlThreadRunning() && s.replication().lastSqlError() != null
        && !s.replication().lastSqlError().isBlank();
  }
}
