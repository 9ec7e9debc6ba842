package dev.handoff.kv;

import java.util.List;
import java.util.Optional;

/**
 * The topology published for clients and consul-template, in orchestrator's key layout:
 * {@code mysql/master/<cluster>} (host:port, plus /hostname, /port, /ipv4, /ipv6), the replicas under
 * {@code mysql/replicas/<cluster>/}, and the counter {@code mysql/epoch/<cluster>}.
 */
public interface TopologyStore extends AutoCloseable {

  /**
   * The topology as of one point in the store's history (one etcd revision): never the primary of one
   * publish with the replicas of another. Empty when the cluster has no master key.
   */
  Optional<TopologyRecord> read(String cluster) throws KvException;

  /**
   * Writes the whole topology in one transaction that first compares the epoch with
   * {@code expectedEpoch} (0: the cluster has never been published) and sets it to expectedEpoch + 1.
   * Idempotent: when the store already holds exactly this topology at expectedEpoch + 1 (an earlier
   * attempt committed and its response was lost), that record is returned and nothing is written.
   *
   * @throws StaleEpochException when the stored epoch differs and it is not this change: a newer change
   *     won, nothing was written
   */
  TopologyRecord publish(String cluster, String primary, List<String> replicas, long expectedEpoch) throws KvException;

  /**
   * Proves the store takes a write now, and that nobody moved the epoch: one transaction that writes
   * {@link #checkKey} only if the epoch still is {@code expectedEpoch} (0: never published). Nothing a
   * client or consul-template reads changes. Returns what it did, for the step log.
   *
   * @throws StaleEpochException when the epoch moved: nothing was written
   */
  String checkWritable(String cluster, long expectedEpoch) throws KvException;

  /** The store and where it is, for messages: {@code etcd at http://127.0.0.1:2379}. */
  String describe();

  @Override
  void close();

  /** The key a writability check writes: outside {@code mysql/}, so no consul-template renders it. */
  static String checkKey(String cluster) {
    return "handoff/kv-check/" + cluster;
  }

  static String masterKey(String cluster) {
    return "mysql/master/" + cluster;
  }

  static String replicasPrefix(String cluster) {
    return "mysql/replicas/" + cluster + "/";
  }

  static String epochKey(String cluster) {
    return "mysql/epoch/" + cluster;
  }

  /** A KV store that could not be read or written. */
  class KvException extends Exception {
    public KvException(String message, Throwable cause) {
      super(message, cause);
    }

    public KvException(String message) {
      super(message);
    }
  }

  /** The epoch compare of a publish failed: another change was published first. */
  class StaleEpochException extends KvException {
    public StaleEpochException(String cluster, long expected, long actual) {
      super("topology of " + cluster + " is at epoch " + actual + ", expected " + expected
          + ": a newer change was published; nothing was written");
    }
  }
}
