package dev.handoff.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

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
    validateEach("haproxy", haproxy, HaproxySettings::name, HaproxySettings::validate, errors);
    if (clusters.isEmpty()) {
      errors.add("clusters: at least one cluster is required");
    }
    validateEach("clusters", clusters, ClusterSettings::name, ClusterSettings::validate, errors);
    return errors;
  }

  /** How one entry of a list is checked, under its field ({@code clusters[0]}). */
  private interface EntryCheck<T> {
    void validate(T entry, String field, List<String> errors);
  }

  /** Checks each entry of the list {@code field} under {@code field[i]}, and names an entry whose name is taken. */
  private static <T> void validateEach(String field, List<T> entries, Function<T, String> name, EntryCheck<T> check,
      List<String> errors) {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < entries.size(); i++) {
      T e = entries.get(i);
      check.validate(e, field + "[" + i + "]", errors);
      String n = name.apply(e);
      if (n != null && !names.add(n)) {
        errors.add(field + "[" + i + "].name: " + n + " is used twice");
      }
    }
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
