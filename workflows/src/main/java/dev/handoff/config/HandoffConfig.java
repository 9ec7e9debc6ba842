package dev.handoff.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The configuration the worker, the CLI and the ops UI read ({@code handoff.yml}). Credentials are
 * references to environment variables or files, never inline values.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HandoffConfig(
    TemporalSettings temporal,
    KvSettings kv,
    Credentials credentials,
    List<HaproxySettings> haproxy,
    List<ClusterSettings> clusters,
    WorkerSettings worker) {

  public HandoffConfig {
    worker = worker == null ? WorkerSettings.defaults() : worker;
    haproxy = haproxy == null ? List.of() : List.copyOf(haproxy);
    clusters = clusters == null ? List.of() : List.copyOf(clusters);
  }

  /** Every problem found, each naming its field; empty when the config can be used. */
  public List<String> problems() {
    List<String> errors = new ArrayList<>();
    if (temporal == null) {
      errors.add("temporal: required (target: host:port, namespace, taskQueue)");
    } else {
      temporal.validate(errors);
    }
    if (kv == null) {
      errors.add("kv: required (type: etcd|consul, endpoints: [...])");
    } else {
      kv.validate(errors);
    }
    if (credentials == null) {
      errors.add("credentials: required (admin, replication, heartbeat)");
    } else {
      credentials.validate(errors);
    }
    worker.validate(errors);
    Set<String> names = new HashSet<>();
    for (int i = 0; i < haproxy.size(); i++) {
      HaproxySettings h = haproxy.get(i);
      h.validate("haproxy[" + i + "]", errors);
      if (h.name() != null && !names.add(h.name())) {
        errors.add("haproxy[" + i + "].name: " + h.name() + " is used twice");
      }
    }
    if (clusters.isEmpty()) {
      errors.add("clusters: at least one cluster is required");
    }
    Set<String> clusterNames = new HashSet<>();
    for (int i = 0; i < clusters.size(); i++) {
      ClusterSettings c = clusters.get(i);
      c.validate("clusters[" + i + "]", errors);
      if (c.name() != null && !clusterNames.add(c.name())) {
        errors.add("clusters[" + i + "].name: " + c.name() + " is used twice");
      }
    }
    return errors;
  }

  public Optional<ClusterSettings> cluster(String name) {
    return clusters.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  /** The cluster, or an error that names it and lists the known ones. */
  public ClusterSettings requireCluster(String name) {
    return cluster(name)
        .orElseThrow(() -> new ConfigException("unknown cluster '" + name + "'; configured clusters: "
            + clusters.stream().map(ClusterSettings::name).toList()));
  }

  /** Every secret reference in the config, so the worker can check them at start and tests can scan for leaks. */
  public List<SecretRef> secretRefs() {
    List<SecretRef> refs = new ArrayList<>(credentials.all());
    if (kv.token() != null) {
      refs.add(kv.token());
    }
    if (worker.alertsToken() != null) {
      refs.add(worker.alertsToken());
    }
    return refs;
  }

  public List<HaproxySettings> remoteHaproxies() {
    return haproxy.stream().filter(HaproxySettings::isRemote).toList();
  }
}
