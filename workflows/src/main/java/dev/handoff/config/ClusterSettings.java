package dev.handoff.config;

import dev.handoff.domain.Flavor;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** One replication cluster: its instances, its HAProxy backends, pt-heartbeat, and failover limits. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClusterSettings(
    String name,
    String flavor,
    List<InstanceSettings> instances,
    String writerBackend,
    String readerBackend,
    HeartbeatSettings heartbeat,
    Limits limits) {

  /** Pre-check limits: a candidate lagging more, or a primary DML running longer, refuses a switchover. */
  public record Limits(Double maxLagSeconds, Long maxDmlSeconds) {
    public Limits {
      maxLagSeconds = maxLagSeconds == null ? 5.0 : maxLagSeconds;
      maxDmlSeconds = maxDmlSeconds == null ? 60L : maxDmlSeconds;
    }
  }

  public ClusterSettings {
    flavor = flavor == null ? "mariadb" : flavor;
    writerBackend = writerBackend == null && name != null ? name + "_writer" : writerBackend;
    readerBackend = readerBackend == null && name != null ? name + "_reader" : readerBackend;
    limits = limits == null ? new Limits(null, null) : limits;
  }

  /** The configured flavor ({@code mariadb} or {@code mysql} in the file; validated) as a {@link Flavor}. */
  public Flavor configuredFlavor() {
    return Flavor.valueOf(flavor.toUpperCase(java.util.Locale.ROOT));
  }

  public Optional<InstanceSettings> instance(String key) {
    return instances.stream().filter(i -> i.key().equals(key)).findFirst();
  }

  void validate(String field, List<String> errors) {
    if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
      errors.add(field + ".name: expected letters, digits, '_', '.', '-', got " + name);
    }
    if (java.util.Arrays.stream(Flavor.values()).noneMatch(f -> f.name().toLowerCase(java.util.Locale.ROOT).equals(flavor))) {
      errors.add(field + ".flavor: expected mariadb or mysql, got " + flavor);
    }
    if (instances == null || instances.size() < 2) {
      errors.add(field + ".instances: a cluster needs a primary and at least one replica");
    } else {
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < instances.size(); i++) {
        InstanceSettings in = instances.get(i);
        in.validate(field + ".instances[" + i + "]", errors);
        if (!seen.add(in.key())) {
          errors.add(field + ".instances[" + i + "]: " + in.key() + " is listed twice");
        }
      }
    }
    if (heartbeat == null) {
      errors.add(field + ".heartbeat: required");
    } else {
      heartbeat.validate(field + ".heartbeat", errors);
    }
    if (limits.maxLagSeconds() <= 0) {
      errors.add(field + ".limits.maxLagSeconds: must be positive");
    }
    if (limits.maxDmlSeconds() <= 0) {
      errors.add(field + ".limits.maxDmlSeconds: must be positive");
    }
  }
}
