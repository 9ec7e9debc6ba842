package dev.handoff.support;

import dev.handoff.config.ClusterSettings;
import dev.handoff.config.HandoffConfig;
import dev.handoff.config.HaproxySettings;
import dev.handoff.domain.FailureType;
import dev.handoff.domain.InstanceKey;

/** Finds clusters, instances and HAProxies in the worker's config; an unknown name is a non-retryable failure. */
public final class Lookup {
  private final HandoffConfig config;

  public Lookup(HandoffConfig config) {
    this.config = config;
  }

  public HandoffConfig config() {
    return config;
  }

  public ClusterSettings cluster(String name) {
    return config.cluster(name).orElseThrow(() -> FailureType.UNKNOWN_CLUSTER.nonRetryable("unknown cluster '" + name + "'; this worker's configuration has "
            + config.clusters().stream().map(ClusterSettings::name).toList()));
  }

  /** The instance, which must belong to the cluster. */
  public InstanceKey instance(String cluster, InstanceKey key) {
    ClusterSettings c = cluster(cluster);
    if (key == null || c.instance(key.toString()).isEmpty()) {
      throw FailureType.UNKNOWN_INSTANCE.nonRetryable("instance " + key + " is not part of cluster " + cluster
          + "; its instances are " + c.instances().stream().map(i -> i.key()).toList());
    }
    return key;
  }

  /** A connection as the admin user, from the worker's source address when one is configured. */
  public java.sql.Connection connect(InstanceKey key, int connectMillis, int socketMillis)
      throws java.sql.SQLException {
    return dev.handoff.mysql.Db.connect(key.host(), key.port(), config.credentials().admin(), connectMillis,
        socketMillis, config.worker().sourceAddress());
  }

  public HaproxySettings haproxy(String name) {
    return config.haproxy().stream().filter(h -> h.name().equals(name)).findFirst()
        .orElseThrow(() -> FailureType.UNKNOWN_INSTANCE.nonRetryable("unknown HAProxy '" + name + "'; configured: "
            + config.haproxy().stream().map(HaproxySettings::name).toList()));
  }
}
