package dev.handoff.kv;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
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

/** The topology in etcd: each change is one Txn guarded by a compare on the epoch key. */
public final class EtcdTopologyStore implements TopologyStore {
  private static final long TIMEOUT_SECONDS = 5;
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
    String master = get(TopologyStore.masterKey(cluster));
    if (master == null) {
      return Optional.empty();
    }
    String epoch = get(TopologyStore.epochKey(cluster));
    return Optional.of(new TopologyRecord(cluster, master, replicaKeys(cluster).stream()
        .map(k -> k.substring(TopologyStore.replicasPrefix(cluster).length())).sorted().toList(),
        epoch == null ? 0 : Long.parseLong(epoch)));
  }

  @Override
  public TopologyRecord publish(String cluster, String primary, List<String> replicas, long expectedEpoch)
      throws KvException {
    int colon = primary.lastIndexOf(':');
    String host = primary.substring(0, colon);
    String port = primary.substring(colon + 1);
    String prefix = TopologyStore.replicasPrefix(cluster);
    List<Op> ops = new ArrayList<>();
    long next = expectedEpoch + 1;
    ops.add(put(TopologyStore.epochKey(cluster), Long.toString(next)));
    String master = TopologyStore.masterKey(cluster);
    ops.add(put(master, primary));
    ops.add(put(master + "/hostname", host));
    ops.add(put(master + "/port", port));
    boolean ipv6 = host.contains(":");
    ops.add(put(master + "/ipv4", ipv6 ? "" : host));
    ops.add(put(master + "/ipv6", ipv6 ? host : ""));
    for (String old : replicaKeys(cluster)) {
      if (!replicas.contains(old.substring(prefix.length()))) {
        ops.add(Op.delete(bytes(old), DeleteOption.DEFAULT));
      }
    }
    for (String r : replicas) {
      ops.add(put(prefix + r, r));
    }
    ByteSequence epochKey = bytes(TopologyStore.epochKey(cluster));
    Cmp guard = expectedEpoch == 0
        ? new Cmp(epochKey, Cmp.Op.EQUAL, CmpTarget.version(0))
        : new Cmp(epochKey, Cmp.Op.EQUAL, CmpTarget.value(bytes(Long.toString(expectedEpoch))));
    TxnResponse resp = await(kv.txn().If(guard).Then(ops.toArray(Op[]::new)).commit(), "publish " + cluster);
    if (!resp.isSucceeded()) {
      String actual = get(TopologyStore.epochKey(cluster));
      throw new StaleEpochException(cluster, expectedEpoch, actual == null ? 0 : Long.parseLong(actual));
    }
    return new TopologyRecord(cluster, primary, replicas.stream().sorted().toList(), next);
  }

  private List<String> replicaKeys(String cluster) throws KvException {
    ByteSequence prefix = bytes(TopologyStore.replicasPrefix(cluster));
    var resp = await(kv.get(prefix, GetOption.builder().isPrefix(true).withKeysOnly(true).build()), "read replicas");
    return resp.getKvs().stream().map(kv -> kv.getKey().toString(StandardCharsets.UTF_8)).toList();
  }

  private String get(String key) throws KvException {
    List<KeyValue> kvs = await(kv.get(bytes(key)), "read " + key).getKvs();
    return kvs.isEmpty() ? null : kvs.get(0).getValue().toString(StandardCharsets.UTF_8);
  }

  private static Op put(String key, String value) {
    return Op.put(bytes(key), bytes(value), PutOption.DEFAULT);
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  private <T> T await(java.util.concurrent.CompletableFuture<T> f, String what) throws KvException {
    try {
      return f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KvException("interrupted: " + what, e);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new KvException("etcd at " + endpoints + " failed to " + what + ": " + cause.getMessage(), cause);
    }
  }

  @Override
  public void close() {
    client.close();
  }
}
