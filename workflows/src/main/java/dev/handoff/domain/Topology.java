package dev.handoff.domain;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.ArrayList;
import java.util.List;

/** The published shape of one cluster (what the KV store holds), with the epoch every failover raises. */
public record Topology(String cluster, InstanceKey primary, List<InstanceKey> replicas, long epoch) {

  /** Requires a cluster name and primary; replicas are copied, must be distinct and exclude the primary. */
  public Topology {
    if (cluster == null || cluster.isBlank()) {
      throw new IllegalArgumentException("topology needs a cluster name");
    }
    if (primary == null) {
      throw new IllegalArgumentException("topology of cluster " + cluster + " needs a primary");
    }
    replicas = replicas == null ? List.of() : List.copyOf(replicas);
    if (replicas.contains(primary)) {
      throw new IllegalArgumentException(
          "topology of cluster " + cluster + " lists primary " + primary + " as a replica too");
    }
    if (replicas.stream().distinct().count() != replicas.size()) {
      throw new IllegalArgumentException("topology of cluster " + cluster + " lists a replica twice: " + replicas);
    }
  }

  /** Primary first, then the replicas in order. */
  @JsonIgnore
  public List<InstanceKey> members() {
    List<InstanceKey> all = new ArrayList<>();
    all.add(primary);
    all.addAll(replicas);
    return List.copyOf(all);
  }

  /** True when {@code key} is the primary or one of the replicas. */
  public boolean contains(InstanceKey key) {
    return primary.equals(key) || replicas.contains(key);
  }

  /** After a planned switchover: candidate is primary, the old primary joins the replicas, epoch + 1. */
  public Topology afterSwitchover(InstanceKey newPrimary) {
    requireReplica(newPrimary);
    List<InstanceKey> next = new ArrayList<>(replicas);
    next.remove(newPrimary);
    next.add(primary);
    return new Topology(cluster, newPrimary, next, epoch + 1);
  }

  /** After an unplanned failover: candidate is primary, the dead primary is dropped, epoch + 1. */
  public Topology afterFailover(InstanceKey newPrimary) {
    requireReplica(newPrimary);
    List<InstanceKey> next = new ArrayList<>(replicas);
    next.remove(newPrimary);
    return new Topology(cluster, newPrimary, next, epoch + 1);
  }

  private void requireReplica(InstanceKey key) {
    if (!replicas.contains(key)) {
      throw new IllegalArgumentException(
          key + " is not a replica of cluster " + cluster + " (replicas: " + replicas + ")");
    }
  }
}
