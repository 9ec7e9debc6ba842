package dev.handoff.kv;

import java.util.List;

/** What the KV store says about a cluster: its primary, its replica pool, and the failover epoch. */
public record TopologyRecord(String cluster, String primary, List<String> replicas, long epoch) {}
