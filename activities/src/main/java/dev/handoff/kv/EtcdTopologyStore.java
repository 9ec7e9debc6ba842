package dev.handoff.kv;

import dev.handoff.support.Heartbeats;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The topology in etcd: each change is one Txn guarded by a compare on the epoch key, and each read is one
 * Txn of gets, so that it sees one revision.
 */
public final class EtcdTopologyStore implements TopologyStore {
  private static final long TIMEOUT_SECONDS = 5;
  /** A read answers a probe: it must fail well inside the detector's heartbeat timeout. */
  private static final long READ_TIMEOUT_SECONDS = 2;
  private static final long HEARTBEAT_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  private final Client client;
  private final KV kv;
  private final String endpoints;

  public EtcdTopologyStore(List<String> endpoints) {
    this.endpoints = String.join(",", endpoints);
    this.client = Client.builder().endpoints(endpoints.toArray(String[]::new)).build();
    this.kv = client.getKVClient();
  }

  @Override
  public Optional<TopologyRecord> read(String cluster) throws KvException {
    return snapshot(cluster).record();
  }

  @Override
  public TopologyRecord publish(String cluster, String primary, List<String> replicas, long expectedEpoch)
      throws KvException {
    TopologyRecord record = new TopologyRecord(cluster, primary, replicas.stream().sorted().toList(),
        expectedEpoch + 1);
    Snapshot before = snapshot(cluster);
    Snapshot now = before;
    if (before.epoch() == expectedEpoch) {
      // The epoch compare: the epoch key is as this snapshot read it (same mod revision; 0 while it is
      // absent), so it still holds expectedEpoch. Every change of the replica keys is a publish, which
      // rewrites the epoch key in the same txn: the replica keys are still the snapshot's too, and the
      // deletes below remove exactly the replicas that are not in the new list.
      Cmp unchanged = new Cmp(bytes(TopologyStore.epochKey(cluster)), Cmp.Op.EQUAL,
          CmpTarget.modRevision(before.epochModRevision()));
      TxnResponse resp = await(kv.txn().If(unchanged).Then(writes(record, before.replicaKeys()))
          .commit(), "publish " + cluster);
      if (resp.isSucceeded()) {
        return record;
      }
      now = snapshot(cluster);
    }
    // Not written now. An earlier attempt of this very publish may have committed (a retry after a lost
    // response): the current snapshot then holds exactly this record, and the publish has succeeded.
    if (now.record().filter(record::equals).isPresent()) {
      return record;
    }
    throw new StaleEpochException(cluster, expectedEpoch, now.epoch());
  }

  @Override
  public String checkWritable(String cluster, long expectedEpoch) throws KvException {
    ByteSequence epochKey = bytes(TopologyStore.epochKey(cluster));
    // An absent epoch key (never published) has version 0; a present one holds the number as text.
    Cmp unchanged = expectedEpoch == 0 ? new Cmp(epochKey, Cmp.Op.EQUAL, CmpTarget.version(0))
        : new Cmp(epochKey, Cmp.Op.EQUAL, CmpTarget.value(bytes(Long.toString(expectedEpoch))));
    TxnResponse resp = await(kv.txn().If(unchanged)
        .Then(put(TopologyStore.checkKey(cluster), "epoch " + expectedEpoch))
        .Else(Op.get(epochKey, GetOption.DEFAULT)).commit(), "take a write to " + TopologyStore.checkKey(cluster),
        READ_TIMEOUT_SECONDS);
    if (!resp.isSucceeded()) {
      long now = resp.getGetResponses().get(0).getKvs().stream().findFirst()
          .map(e -> Long.parseLong(text(e.getValue()))).orElse(0L);
      throw new StaleEpochException(cluster, expectedEpoch, now);
    }
    return describe() + " took a write at epoch " + expectedEpoch + " (revision "
        + resp.getHeader().getRevision() + ")";
  }

  @Override
  public String describe() {
    return "etcd at " + endpoints;
  }

  /** Master, epoch and replicas of a cluster as of one etcd revision; replicaKeys are the full keys. */
  private record Snapshot(Optional<TopologyRecord> record, long epoch, long epochModRevision,
                          List<String> replicaKeys) {}

  /** One Txn without a compare: its gets all read the same revision, so a publish is seen whole or not at all. */
  private Snapshot snapshot(String cluster) throws KvException {
    String prefix = TopologyStore.replicasPrefix(cluster);
    TxnResponse resp = await(kv.txn().Then(
        Op.get(bytes(TopologyStore.masterKey(cluster)), GetOption.DEFAULT),
        Op.get(bytes(TopologyStore.epochKey(cluster)), GetOption.DEFAULT),
        Op.get(bytes(prefix), GetOption.builder().isPrefix(true).withKeysOnly(true).build())).commit(),
        "read the topology of " + cluster, READ_TIMEOUT_SECONDS);
    List<GetResponse> gets = resp.getGetResponses();
    Optional<KeyValue> master = gets.get(0).getKvs().stream().findFirst();
    Optional<KeyValue> epochKv = gets.get(1).getKvs().stream().findFirst();
    long epoch = epochKv.map(e -> Long.parseLong(text(e.getValue()))).orElse(0L);
    List<String> replicaKeys = gets.get(2).getKvs().stream().map(e -> text(e.getKey())).toList();
    List<String> names = replicaKeys.stream().map(k -> k.substring(prefix.length())).sorted().toList();
    return new Snapshot(master.map(m -> new TopologyRecord(cluster, text(m.getValue()), names, epoch)), epoch,
        epochKv.map(KeyValue::getModRevision).orElse(0L), replicaKeys);
  }

  /** The txn's writes: epoch, master keys, replica keys, and deletes of the old replica keys not kept. */
  private static Op[] writes(TopologyRecord record, List<String> oldReplicaKeys) {
    String cluster = record.cluster();
    String primary = record.primary();
    int colon = primary.lastIndexOf(':');
    String host = primary.substring(0, colon);
    String port = primary.substring(colon + 1);
    String prefix = TopologyStore.replicasPrefix(cluster);
    List<Op> ops = new ArrayList<>();
    ops.add(put(TopologyStore.epochKey(cluster), Long.toString(record.epoch())));
    String master = TopologyStore.masterKey(cluster);
    ops.add(put(master, primary));
    ops.add(put(master + "/hostname", host));
    ops.add(put(master + "/port", port));
    boolean ipv6 = host.contains(":");
    ops.add(put(master + "/ipv4", ipv6 ? "" : host));
    ops.add(put(master + "/ipv6", ipv6 ? host : ""));
    for (String old : oldReplicaKeys) {
      if (!record.replicas().contains(old.substring(prefix.length()))) {
        ops.add(Op.delete(bytes(old), DeleteOption.DEFAULT));
      }
    }
    for (String r : record.replicas()) {
      ops.add(put(prefix + r, r));
    }
    return ops.toArray(Op[]::new);
  }

  private static String text(ByteSequence b) {
    return b.toString(StandardCharsets.UTF_8);
  }

  private static Op put(String key, String value) {
    return Op.put(bytes(key), bytes(value), PutOption.DEFAULT);
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  private <T> T await(java.util.concurrent.CompletableFuture<T> f, String what) throws KvException {
    return await(f, what, TIMEOUT_SECONDS);
  }

  /**
   * Waits up to {@code seconds} for etcd's answer, heartbeating meanwhile with what it waits on, so a step
   * whose heartbeat times out says it was waiting for etcd.
   */
  private <T> T await(java.util.concurrent.CompletableFuture<T> f, String what, long seconds) throws KvException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        try {
          return f.get(Math.max(0, Math.min(left, HEARTBEAT_NANOS)), TimeUnit.NANOSECONDS);
        } catch (TimeoutException notYet) {
          if (System.nanoTime() >= deadline) {
            throw notYet;
          }
          Heartbeats.beat("waiting for " + describe() + " to " + what);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KvException("interrupted: " + what, e);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      String why = e instanceof TimeoutException ? "no answer within " + seconds + " s"
          : cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
      throw new KvException(describe() + " failed to " + what + ": " + why, cause);
    }
  }

  @Override
  public void close() {
    client.close();
  }
}
