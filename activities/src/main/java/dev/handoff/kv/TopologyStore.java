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

  @Override
  void close();

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
