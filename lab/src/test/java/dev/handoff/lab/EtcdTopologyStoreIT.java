package dev.handoff.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.handoff.kv.EtcdTopologyStore;
import dev.handoff.kv.TopologyRecord;
import dev.handoff.kv.TopologyStore;
import dev.handoff.process.LocalProcess;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The etcd topology store against a real etcd (only etcd: the rest of the lab plays no part): a read is
 * one snapshot, and a publish retried after its first attempt committed returns that record.
 */
class EtcdTopologyStoreIT {
  private static final String A = "127.0.0.1:3301";
  private static final String B = "127.0.0.1:3302";
  private static final String C = "127.0.0.1:3303";
  /** The straddle test runs at least MIN_RUN_MILLIS and MIN_PUBLISHES publishes, and never past MAX_RUN_MILLIS. */
  private static final long MIN_RUN_MILLIS = 4_000;
  private static final long MAX_RUN_MILLIS = 30_000;
  private static final long MIN_PUBLISHES = 40;
  private static final int READERS = 2;
  private static final int MAX_REPORTED = 10;

  private static Path dir;
  private static LocalProcess etcd;
  private static String url;

  @BeforeAll
  static void startEtcd() throws Exception {
    dir = Files.createTempDirectory(Path.of("/tmp"), "hl-etcd-");
    List<Integer> ports = Ports.allocate(2, null);
    etcd = EtcdLab.start(dir, ports.get(0), ports.get(1));
    url = EtcdLab.url(ports.get(0));
    EtcdLab.waitReady(etcd, ports.get(0), 20_000);
  }

  @AfterAll
  static void stopEtcd() {
    if (etcd != null && !etcd.stop(10_000)) {
      throw new AssertionError("etcd (pid " + etcd.pid() + ") did not stop");
    }
    if (dir != null) {
      Lab.deleteTree(dir);
    }
  }

  private static EtcdTopologyStore store() {
    return new EtcdTopologyStore(List.of(url));
  }

  /** The two topologies the publisher alternates: odd epochs A over [B, C], even epochs B over [A, C]. */
  private static TopologyRecord expected(String cluster, long epoch) {
    return epoch % 2 == 1
        ? new TopologyRecord(cluster, A, List.of(B, C), epoch)
        : new TopologyRecord(cluster, B, List.of(A, C), epoch);
  }

  @Test
  void aReaderThatStraddlesPublishesSeesEitherTopologyNeverAMix() throws Exception {
    String cluster = "straddle";
    Queue<String> bad = new ConcurrentLinkedQueue<>();
    AtomicLong badCount = new AtomicLong();
    AtomicLong reads = new AtomicLong();
    AtomicLong published = new AtomicLong();
    Set<Long> epochsSeen = ConcurrentHashMap.newKeySet();
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(1 + READERS);
    try (EtcdTopologyStore publisher = store(); EtcdTopologyStore reader = store()) {
      TopologyRecord first = expected(cluster, 1);
      publisher.publish(cluster, first.primary(), first.replicas(), 0);
      List<Future<?>> tasks = new ArrayList<>();
      tasks.add(pool.submit(() -> {
        for (long epoch = 1; !stop.get(); epoch++) {
          TopologyRecord next = expected(cluster, epoch + 1);
          publisher.publish(cluster, next.primary(), next.replicas(), epoch);
          published.incrementAndGet();
        }
        return null;
      }));
      for (int i = 0; i < READERS; i++) {
        tasks.add(pool.submit(() -> {
          long last = 0;
          while (!stop.get()) {
            TopologyRecord got = reader.read(cluster).orElse(null);
            reads.incrementAndGet();
            String problem = got == null ? "no topology"
                : got.replicas().contains(got.primary()) ? "primary " + got.primary() + " among its own replicas"
                : !got.equals(expected(cluster, got.epoch())) ? "not the topology of epoch " + got.epoch()
                : got.epoch() < last ? "epoch went back from " + last
                : null;
            if (problem != null && badCount.incrementAndGet() <= MAX_REPORTED) {
              bad.add(problem + ": " + got);
            }
            if (got != null) {
              last = got.epoch();
              epochsSeen.add(got.epoch());
            }
          }
          return null;
        }));
      }
      long start = System.nanoTime();
      // A task that is done has failed: its get below rethrows why.
      while (millisSince(start) < MAX_RUN_MILLIS && tasks.stream().noneMatch(Future::isDone)
          && (millisSince(start) < MIN_RUN_MILLIS || published.get() < MIN_PUBLISHES)) {
        Thread.sleep(50);
      }
      stop.set(true);
      for (Future<?> t : tasks) {
        t.get(30, TimeUnit.SECONDS);
      }
    } finally {
      stop.set(true);
      pool.shutdownNow();
      pool.awaitTermination(30, TimeUnit.SECONDS);
    }
    System.out.printf("[etcd-it] %d publishes, %d reads, %d inconsistent%n", published.get(), reads.get(),
        badCount.get());
    assertThat(bad).as(badCount.get() + " of " + reads.get() + " reads were inconsistent, e.g.").isEmpty();
    assertThat(published.get()).as("publishes").isGreaterThanOrEqualTo(MIN_PUBLISHES);
    assertThat(epochsSeen.size()).as("distinct epochs the readers saw").isGreaterThan(10);
  }

  private static long millisSince(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
  }

  @Test
  void aRetriedPublishThatAlreadyCommittedReturnsItsRecord() throws Exception {
    String cluster = "retry";
    try (EtcdTopologyStore store = store()) {
      TopologyRecord first = store.publish(cluster, A, List.of(C, B), 0);
      assertThat(first).isEqualTo(expected(cluster, 1));

      assertThat(store.publish(cluster, A, List.of(B, C), 0)).as("the same change again").isEqualTo(first);
      assertThat(store.publish(cluster, A, List.of(C, B), 0)).as("replica order does not matter").isEqualTo(first);
      assertThat(store.read(cluster)).contains(first);

      assertThatThrownBy(() -> store.publish(cluster, B, List.of(A, C), 0)).as("another primary")
          .isInstanceOf(TopologyStore.StaleEpochException.class).hasMessageContaining("at epoch 1, expected 0");
      assertThatThrownBy(() -> store.publish(cluster, A, List.of(B), 0)).as("other replicas")
          .isInstanceOf(TopologyStore.StaleEpochException.class).hasMessageContaining("at epoch 1, expected 0");
      assertThat(store.read(cluster)).as("a refused publish wrote nothing").contains(first);

      TopologyRecord second = store.publish(cluster, B, List.of(A, C), 1);
      assertThat(second).isEqualTo(expected(cluster, 2));
      assertThat(store.read(cluster)).as("the replica key of the new primary is gone").contains(second);
      assertThatThrownBy(() -> store.publish(cluster, A, List.of(B, C), 0))
          .as("the first change, retried after a newer one").isInstanceOf(TopologyStore.StaleEpochException.class)
          .hasMessageContaining("at epoch 2, expected 0");
    }
  }

  @Test
  void readNamesReplicasByKeySuffixSortedWithEpochZeroWhenItsKeyIsAbsent() throws Exception {
    String cluster = "raw";
    try (EtcdTopologyStore store = store(); Client client = Client.builder().endpoints(url).build()) {
      assertThat(store.read(cluster)).as("no master key").isEmpty();
      put(client, TopologyStore.masterKey(cluster), A);
      put(client, TopologyStore.replicasPrefix(cluster) + C, "value is not the name");
      put(client, TopologyStore.replicasPrefix(cluster) + B, "");
      put(client, TopologyStore.replicasPrefix(cluster + "2") + A, A);
      assertThat(store.read(cluster)).contains(new TopologyRecord(cluster, A, List.of(B, C), 0));
    }
  }

  @Test
  void aWritabilityCheckWritesOnlyItsOwnKeyAndOnlyAtTheExpectedEpoch() throws Exception {
    String cluster = "check";
    try (EtcdTopologyStore store = store(); Client client = Client.builder().endpoints(url).build()) {
      assertThat(store.checkWritable(cluster, 0)).as("never published: epoch 0").contains("etcd at " + url);
      TopologyRecord first = store.publish(cluster, A, List.of(B, C), 0);
      assertThatThrownBy(() -> store.checkWritable(cluster, 0)).as("the epoch moved to 1")
          .isInstanceOf(TopologyStore.StaleEpochException.class).hasMessageContaining("at epoch 1, expected 0");

      assertThat(store.checkWritable(cluster, 1)).contains("took a write at epoch 1");
      assertThat(store.read(cluster)).as("the topology is untouched").contains(first);
      assertThat(client.getKVClient().get(ByteSequence.from(TopologyStore.checkKey(cluster), StandardCharsets.UTF_8))
          .get(5, TimeUnit.SECONDS).getKvs()).singleElement()
          .satisfies(kv -> assertThat(kv.getValue().toString(StandardCharsets.UTF_8)).isEqualTo("epoch 1"));
      assertThat(TopologyStore.checkKey(cluster)).as("outside what consul-template renders")
          .doesNotStartWith("mysql/");
    }
  }

  @Test
  void aWritabilityCheckAgainstAnEtcdThatDoesNotAnswerNamesItsEndpoint() {
    String nobody = "http://127.0.0.1:" + Ports.allocate(1, null).get(0);
    try (EtcdTopologyStore store = new EtcdTopologyStore(List.of(nobody))) {
      assertThatThrownBy(() -> store.checkWritable("check", 1)).isInstanceOf(TopologyStore.KvException.class)
          .isNotInstanceOf(TopologyStore.StaleEpochException.class)
          .hasMessageContaining("etcd at " + nobody).hasMessageContaining("take a write to handoff/kv-check/check");
    }
  }

  private static void put(Client client, String key, String value) throws Exception {
    client.getKVClient().put(ByteSequence.from(key, StandardCharsets.UTF_8),
        ByteSequence.from(value, StandardCharsets.UTF_8)).get(5, TimeUnit.SECONDS);
  }
}
