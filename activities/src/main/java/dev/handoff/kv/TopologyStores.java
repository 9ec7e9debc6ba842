package dev.handoff.kv;

import dev.handoff.config.ConfigException;
import dev.handoff.config.KvSettings;

/** Opens the topology store a config names. */
public final class TopologyStores {
  private TopologyStores() {}

  public static TopologyStore open(KvSettings kv) {
    if ("etcd".equals(kv.type())) {
      return new EtcdTopologyStore(kv.endpoints());
    }
    throw new ConfigException("kv.type " + kv.type() + " is not supported by this build yet; use etcd");
  }
}
