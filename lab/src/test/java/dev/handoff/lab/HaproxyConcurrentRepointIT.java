package dev.handoff.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.config.ClusterSettings;
import dev.handoff.config.HandoffConfig;
import dev.handoff.config.HaproxySettings;
import dev.handoff.domain.InstanceKey;
import dev.handoff.haproxy.HaproxyActivities;
import dev.handoff.haproxy.HaproxyActivitiesImpl;
import dev.handoff.haproxy.HaproxyRuntime;
import dev.handoff.support.Lookup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two clusters share the remote HAProxies and so their config files: repointing both at once must keep
 * both edits in the file, so that a reload routes each cluster's writes where it was last repointed.
 */
class HaproxyConcurrentRepointIT {
  @RegisterExtension
  static final LabExtension LAB = LabExtension.clusters(2).replicas(1);

  private static final int ROUNDS = 20;
  private static final long WAIT_SECONDS = 30;

  @Test
  void twoClustersRepointedAtOnceKeepBothEditsThroughAReload() throws Exception {
    HandoffConfig config = LAB.info().config();
    HaproxyActivitiesImpl haproxy = new HaproxyActivitiesImpl(new Lookup(config));
    List<ClusterSettings> clusters = config.clusters();
    assertThat(clusters).hasSize(2);
    List<HaproxySettings> remotes = config.remoteHaproxies();
    assertThat(remotes).hasSizeGreaterThanOrEqualTo(2);

    Map<String, InstanceKey> last = new ConcurrentHashMap<>();
    List<String> lost = Collections.synchronizedList(new ArrayList<>());
    // After each round (both threads done), every config file must hold both clusters' last repoint.
    CyclicBarrier roundDone = new CyclicBarrier(clusters.size(), () -> lost.addAll(configViolations(config, last)));
    CyclicBarrier roundStart = new CyclicBarrier(clusters.size());
    ExecutorService pool = Executors.newFixedThreadPool(clusters.size());
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (ClusterSettings c : clusters) {
        List<InstanceKey> instances = c.instances().stream().map(i -> InstanceKey.parse(i.key())).toList();
        runs.add(pool.submit(() -> {
          try {
            for (int round = 0; round < ROUNDS; round++) {
              InstanceKey target = instances.get((round + 1) % instances.size());
              roundStart.await(WAIT_SECONDS, TimeUnit.SECONDS);
              for (HaproxySettings h : remotes) {
                haproxy.repointWriter(new HaproxyActivities.RepointWriter(h.name(), c.name(), target));
              }
              last.put(c.name(), target);
              roundDone.await(WAIT_SECONDS, TimeUnit.SECONDS);
            }
            return null;
          } catch (Exception | Error e) {
            // the other thread stops waiting for this one
            roundStart.reset();
            roundDone.reset();
            throw new AssertionError(c.name() + ": " + e, e);
          }
        }));
      }
      for (Future<?> run : runs) {
        run.get(ROUNDS * WAIT_SECONDS, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS)).as("repoint threads stopped").isTrue();
    }
    assertThat(lost).as("config file edits lost while both clusters were repointed at once").isEmpty();

    // A reload loads the files: each cluster's writer backend must still serve what it was last set to.
    for (HaproxySettings h : remotes) {
      reload(h);
    }
    for (HaproxySettings h : remotes) {
      HaproxyRuntime rt = new HaproxyRuntime(Path.of(h.adminSocket()), Path.of(h.masterSocket()));
      for (ClusterSettings c : clusters) {
        List<String> expected = List.of(HaproxyRuntime.serverName(last.get(c.name()).toString()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<String> serving = serving(rt, c.writerBackend());
        while (!serving.equals(expected) && System.nanoTime() < deadline) {
          Thread.sleep(100);
          serving = serving(rt, c.writerBackend());
        }
        assertThat(serving).as(h.name() + " " + c.writerBackend() + " after a reload").isEqualTo(expected);
      }
    }
  }

  /** Where a config file's writer or reader backend differs from the cluster's last repoint. */
  private static List<String> configViolations(HandoffConfig config, Map<String, InstanceKey> last) {
    List<String> out = new ArrayList<>();
    for (HaproxySettings h : config.remoteHaproxies()) {
      String text;
      try {
        text = Files.readString(Path.of(h.configFile()));
      } catch (IOException e) {
        out.add(h.name() + ": cannot read " + h.configFile() + ": " + e);
        continue;
      }
      for (ClusterSettings c : config.clusters()) {
        InstanceKey primary = last.get(c.name());
        if (primary == null) {
          continue;
        }
        Set<String> writers = Set.of(HaproxyRuntime.serverName(primary.toString()));
        Set<String> readers = new TreeSet<>();
        c.instances().stream().filter(i -> !i.key().equals(primary.toString()))
            .forEach(i -> readers.add(HaproxyRuntime.serverName(i.key())));
        Set<String> w = enabled(text, c.writerBackend());
        Set<String> r = enabled(text, c.readerBackend());
        if (!w.equals(writers)) {
          out.add(h.name() + " " + c.writerBackend() + " enables " + w + " in the file, last repointed to " + writers);
        }
        if (!r.equals(readers)) {
          out.add(h.name() + " " + c.readerBackend() + " enables " + r + " in the file, expected " + readers);
        }
      }
    }
    return out;
  }

  /** The servers of one backend that a config file does not mark {@code disabled}. */
  private static Set<String> enabled(String config, String backend) {
    Set<String> out = new TreeSet<>();
    boolean in = false;
    for (String line : config.split("\n")) {
      String t = line.strip();
      if (!line.startsWith(" ") && !t.isEmpty()) {
        in = t.equals("backend " + backend);
      } else if (in && t.startsWith("server ")) {
        String[] f = t.split("\\s+");
        if (!f[f.length - 1].equals("disabled")) {
          out.add(f[1]);
        }
      }
    }
    return out;
  }

  private static List<String> serving(HaproxyRuntime rt, String backend) throws IOException {
    return rt.servers(backend).stream().filter(HaproxyRuntime.ServerStat::serving)
        .map(HaproxyRuntime.ServerStat::server).toList();
  }

  /** Reloads through the master socket and waits (bounded) for a new worker on the admin socket. */
  private static void reload(HaproxySettings h) throws Exception {
    HaproxyRuntime rt = new HaproxyRuntime(Path.of(h.adminSocket()), Path.of(h.masterSocket()));
    String before = pid(rt.command("show info"));
    rt.masterCommand("reload");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    String after = before;
    while (after.equals(before) && System.nanoTime() < deadline) {
      Thread.sleep(100);
      try {
        after = pid(rt.command("show info"));
      } catch (IOException notYet) {
        // the new worker binds the admin socket a moment after the reload
      }
    }
    assertThat(after).as(h.name() + ": a new HAProxy worker after the reload").isNotEqualTo(before);
  }

  private static String pid(String showInfo) {
    return showInfo.lines().filter(l -> l.startsWith("Pid:")).findFirst().orElse("");
  }
}
