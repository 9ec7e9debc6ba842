package dev.handoff.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** A cluster's state across its instances, the KV store and the remote HAProxies, with what is wrong. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClusterStatus(
    String name,
    String kvPrimary,
    Long kvEpoch,
    List<String> kvReplicas,
    String kvError,
    List<InstanceStatus> instances,
    List<RouteStatus> routes,
    List<String> problems) {

  public boolean healthy() {
    return problems.isEmpty();
  }
}
