package dev.handoff.haproxy;

import dev.handoff.config.ClusterSettings;
import dev.handoff.config.HaproxySettings;
import dev.handoff.domain.FailureType;
import dev.handoff.domain.InstanceKey;
import dev.handoff.support.Failpoints;
import dev.handoff.support.Heartbeats;
import dev.handoff.support.Lookup;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Repoints a remote HAProxy: the running process through the runtime API (instant, no reload), and
 * the config file so a later reload keeps the change. A server the running process does not know
 * is added by a reload through the master socket.
 */
public final class HaproxyActivitiesImpl implements HaproxyActivities {
  private final Lookup lookup;

  public HaproxyActivitiesImpl(Lookup lookup) {
    this.lookup = lookup;
  }

  @Override
  public boolean pingHaproxy(String haproxy) {
    HaproxySettings h = lookup.haproxy(haproxy);
    try {
      boolean answers = runtime(h).command("show info").contains("Name: HAProxy");
      Failpoints.during();
      return answers;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public String repointWriter(String haproxy, String cluster, InstanceKey primary) {
    ClusterSettings c = lookup.cluster(cluster);
    List<InstanceKey> readers = c.instances().stream().map(i -> new InstanceKey(i.host(), i.port()))
        .filter(k -> !k.equals(primary)).toList();
    return repointRoutes(haproxy, cluster, primary, readers);
  }

  @Override
  public String repointRoutes(String haproxy, String cluster, InstanceKey primary, List<InstanceKey> readers) {
    HaproxySettings h = lookup.haproxy(haproxy);
    ClusterSettings c = lookup.cluster(cluster);
    lookup.instance(cluster, primary);
    readers.forEach(r -> lookup.instance(cluster, r));
    String primaryServer = HaproxyRuntime.serverName(primary.toString());
    Set<String> readerServers = new HashSet<>();
    readers.forEach(r -> readerServers.add(HaproxyRuntime.serverName(r.toString())));
    Set<String> all = new HashSet<>();
    c.instances().forEach(i -> all.add(HaproxyRuntime.serverName(i.key())));
    HaproxyRuntime rt = runtime(h);
    try {
      boolean already = routes(rt, c.writerBackend(), primaryServer);
      writeConfig(h, c.writerBackend(), Set.of(primaryServer));
      writeConfig(h, c.readerBackend(), readerServers);
      boolean reloaded = false;
      // Fence first: no moment with two writers.
      for (String s : all) {
        if (!s.equals(primaryServer)) {
          reloaded |= apply(rt, h, "set server " + c.writerBackend() + "/" + s + " state maint", reloaded);
          rt.command("shutdown sessions server " + c.writerBackend() + "/" + s);
        }
      }
      Failpoints.during();
      reloaded |= apply(rt, h, "set server " + c.writerBackend() + "/" + primaryServer + " state ready", reloaded);
      if (!already) {
        rt.command("set server " + c.writerBackend() + "/" + primaryServer + " health up");
      }
      for (String s : all) {
        boolean reads = readerServers.contains(s);
        apply(rt, h, "set server " + c.readerBackend() + "/" + s + " state " + (reads ? "ready" : "maint"), reloaded);
        if (!reads) {
          rt.command("shutdown sessions server " + c.readerBackend() + "/" + s);
        }
      }
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (!routes(rt, c.writerBackend(), primaryServer)) {
        if (System.nanoTime() > deadline) {
          throw ApplicationFailure.newFailure(haproxy + " writer backend " + c.writerBackend() + " serves "
              + serving(rt, c.writerBackend()) + " after the repoint, not only " + primary,
              FailureType.HAPROXY_NOT_REPOINTED);
        }
        Heartbeats.beat("waiting for " + haproxy + " to mark " + primary + " up");
        Thread.sleep(20);
      }
      return haproxy + (already ? " already routed" : " routes") + " writes to " + primary + ", reads to " + readers
          + (reloaded ? " (reloaded to add a server)" : "");
    } catch (IOException e) {
      throw ApplicationFailure.newFailure(haproxy + " admin socket " + h.adminSocket() + ": " + e.getMessage(),
          FailureType.HAPROXY_UNREACHABLE);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApplicationFailure.newFailure("interrupted", FailureType.INTERRUPTED);
    }
  }

  @Override
  public String fenceWriter(String haproxy, String cluster, InstanceKey instance) {
    HaproxySettings h = lookup.haproxy(haproxy);
    ClusterSettings c = lookup.cluster(cluster);
    lookup.instance(cluster, instance);
    String server = HaproxyRuntime.serverName(instance.toString());
    HaproxyRuntime rt = runtime(h);
    try {
      List<String> enabled = new ArrayList<>(serving(rt, c.writerBackend()));
      enabled.remove(server);
      writeConfig(h, c.writerBackend(), new HashSet<>(enabled));
      Failpoints.during();
      rt.command("set server " + c.writerBackend() + "/" + server + " state maint");
      rt.command("shutdown sessions server " + c.writerBackend() + "/" + server);
      if (serving(rt, c.writerBackend()).contains(server)) {
        throw ApplicationFailure.newFailure(haproxy + " still serves " + instance + " after fencing",
            FailureType.HAPROXY_NOT_REPOINTED);
      }
      return haproxy + " no longer routes writes to " + instance;
    } catch (IOException e) {
      throw ApplicationFailure.newFailure(haproxy + " admin socket " + h.adminSocket() + ": " + e.getMessage(),
          FailureType.HAPROXY_UNREACHABLE);
    }
  }

  /** Runs a runtime command; if the running process lacks the server, reloads once (the file has it). */
  private static boolean apply(HaproxyRuntime rt, HaproxySettings h, String command, boolean alreadyReloaded)
      throws IOException {
    String answer = rt.command(command).strip();
    if (answer.isEmpty()) {
      return false;
    }
    if (answer.contains("No such server") && !alreadyReloaded) {
      rt.masterCommand("reload");
      awaitAdminSocket(rt);
      String again = rt.command(command).strip();
      if (!again.isEmpty()) {
        throw ApplicationFailure.newFailure(h.name() + " refused '" + command + "' after a reload: " + again,
            FailureType.HAPROXY_NOT_REPOINTED);
      }
      return true;
    }
    throw ApplicationFailure.newFailure(h.name() + " refused '" + command + "': " + answer,
        FailureType.HAPROXY_NOT_REPOINTED);
  }

  private static void awaitAdminSocket(HaproxyRuntime rt) throws IOException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (true) {
      try {
        if (rt.command("show info").contains("Name: HAProxy")) {
          return;
        }
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static boolean routes(HaproxyRuntime rt, String backend, String primaryServer) throws IOException {
    return serving(rt, backend).equals(List.of(primaryServer));
  }

  private static List<String> serving(HaproxyRuntime rt, String backend) throws IOException {
    return rt.servers(backend).stream().filter(HaproxyRuntime.ServerStat::serving)
        .map(HaproxyRuntime.ServerStat::server).toList();
  }

  /** Rewrites the config file when it differs; returns whether it changed. Atomic: temp file, then move. */
  private static boolean writeConfig(HaproxySettings h, String backend, Set<String> enabled) throws IOException {
    Path file = Path.of(h.configFile());
    String before = Files.readString(file);
    String after = HaproxyConfigFile.setEnabled(before, backend, enabled);
    if (after.equals(before)) {
      return false;
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".handoff-tmp");
    Files.writeString(tmp, after);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return true;
  }

  private static HaproxyRuntime runtime(HaproxySettings h) {
    return new HaproxyRuntime(Path.of(h.adminSocket()), h.masterSocket() == null ? null : Path.of(h.masterSocket()));
  }
}
