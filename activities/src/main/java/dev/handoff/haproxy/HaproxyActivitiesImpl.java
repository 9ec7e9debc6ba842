package dev.handoff.haproxy;

import dev.handoff.haproxy.HaproxyActivities.FenceWriter;
import dev.handoff.haproxy.HaproxyActivities.PingHaproxy;
import dev.handoff.haproxy.HaproxyActivities.PingResult;
import dev.handoff.haproxy.HaproxyActivities.RepointRoutes;
import dev.handoff.haproxy.HaproxyActivities.RepointWriter;
import dev.handoff.domain.StepDone;
import dev.handoff.config.ClusterSettings;
import dev.handoff.config.HaproxySettings;
import dev.handoff.domain.FailureType;
import dev.handoff.domain.InstanceKey;
import dev.handoff.support.Failpoints;
import dev.handoff.support.Heartbeats;
import dev.handoff.support.Lookup;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Repoints a remote HAProxy: the running process through the runtime API (instant, no reload), and
 * the config file so a later reload keeps the change. A server the running process does not know
 * is added by a reload through the master socket.
 *
 * <p>Every runtime command's answer is checked (a state change answers nothing; "No such server." and
 * the like are failures naming the HAProxy, the command and the answer), every socket call is bounded
 * by {@link HaproxyRuntime}'s timeouts, and the config file, which the clusters routed by one HAProxy
 * share, is edited under {@link HaproxyConfigFile#edit}'s per-file lock.
 */
public record HaproxyActivitiesImpl(Lookup lookup) implements HaproxyActivities {
  @Override
  public PingResult pingHaproxy(PingHaproxy r) {
    HaproxySettings h = lookup.haproxy(r.haproxy());
    boolean answers;
    try {
      answers = runtime(h).command("show info").contains("Name: HAProxy");
      Failpoints.during();
    } catch (IOException e) {
      answers = false;
    }
    return new PingResult(r.haproxy(), answers);
  }

  @Override
  public StepDone repointWriter(RepointWriter r) {
    ClusterSettings c = lookup.cluster(r.cluster());
    List<InstanceKey> readers = c.instances().stream().map(i -> new InstanceKey(i.host(), i.port()))
        .filter(k -> !k.equals(r.primary())).toList();
    return repointRoutes(new RepointRoutes(r.haproxy(), r.cluster(), r.primary(), readers));
  }

  @Override
  public StepDone repointRoutes(RepointRoutes request) {
    HaproxySettings h = lookup.haproxy(request.haproxy());
    ClusterSettings c = lookup.cluster(request.cluster());
    lookup.instance(request.cluster(), request.primary());
    request.readers().forEach(r -> lookup.instance(request.cluster(), r));
    String primaryServer = HaproxyRuntime.serverName(request.primary().toString());
    Set<String> readerServers = new HashSet<>();
    request.readers().forEach(r -> readerServers.add(HaproxyRuntime.serverName(r.toString())));
    Set<String> all = new HashSet<>();
    c.instances().forEach(i -> all.add(HaproxyRuntime.serverName(i.key())));
    HaproxyRuntime rt = runtime(h);
    try {
      boolean already = routes(rt, c.writerBackend(), primaryServer);
      // The file first (one locked edit for both backends): a reload from here on keeps the change.
      editConfig(h, cfg -> HaproxyConfigFile.setEnabled(HaproxyConfigFile.setEnabled(cfg, c.writerBackend(),
          Set.of(primaryServer)), c.readerBackend(), readerServers));
      boolean reloaded = false;
      // Fence first: no moment with two writers.
      for (String s : all) {
        if (!s.equals(primaryServer)) {
          reloaded |= apply(rt, h, "set server " + c.writerBackend() + "/" + s + " state maint", reloaded);
          expectEmpty(rt, h, "shutdown sessions server " + c.writerBackend() + "/" + s);
        }
      }
      Failpoints.during();
      reloaded |= apply(rt, h, "set server " + c.writerBackend() + "/" + primaryServer + " state ready", reloaded);
      if (!already) {
        expectEmpty(rt, h, "set server " + c.writerBackend() + "/" + primaryServer + " health up");
      }
      for (String s : all) {
        boolean reads = readerServers.contains(s);
        apply(rt, h, "set server " + c.readerBackend() + "/" + s + " state " + (reads ? "ready" : "maint"), reloaded);
        if (!reads) {
          expectEmpty(rt, h, "shutdown sessions server " + c.readerBackend() + "/" + s);
        }
      }
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (!routes(rt, c.writerBackend(), primaryServer)) {
        if (System.nanoTime() > deadline) {
          throw FailureType.HAPROXY_NOT_REPOINTED.failure(request.haproxy() + " writer backend " + c.writerBackend() + " serves "
              + serving(rt, c.writerBackend()) + " after the repoint, not only " + request.primary());
        }
        Heartbeats.beat("waiting for " + request.haproxy() + " to mark " + request.primary() + " up");
        Thread.sleep(20);
      }
      return new StepDone(request.haproxy() + (already ? " already routed" : " routes") + " writes to " + request.primary() + ", reads to " + request.readers()
          + (reloaded ? " (reloaded to add a server)" : ""));
    } catch (IOException e) {
      throw unreachable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw FailureType.INTERRUPTED.failure("interrupted");
    }
  }

  @Override
  public StepDone fenceWriter(FenceWriter request) {
    HaproxySettings h = lookup.haproxy(request.haproxy());
    ClusterSettings c = lookup.cluster(request.cluster());
    lookup.instance(request.cluster(), request.instance());
    String server = HaproxyRuntime.serverName(request.instance().toString());
    String backend = c.writerBackend();
    HaproxyRuntime rt = runtime(h);
    try {
      // The file first, so a reload keeps the fence; only this server's line changes.
      editConfig(h, cfg -> HaproxyConfigFile.disable(cfg, backend, server));
      Failpoints.during();
      expectEmpty(rt, h, "set server " + backend + "/" + server + " state maint");
      expectEmpty(rt, h, "shutdown sessions server " + backend + "/" + server);
      // Postcondition, read back: the server is in maintenance in the writer backend.
      HaproxyRuntime.ServerStat stat = rt.servers(backend).stream().filter(s -> s.server().equals(server))
          .findFirst().orElseThrow(() -> FailureType.HAPROXY_NOT_REPOINTED.failure(request.haproxy() + " writer backend " + backend
              + " has no server " + server + " in 'show stat' after fencing " + request.instance()));
      if (!inMaintenance(stat)) {
        throw FailureType.HAPROXY_NOT_REPOINTED.failure(request.haproxy() + " writer backend " + backend + " shows " + server + " as '"
            + stat.status() + "' after fencing " + request.instance() + ", not in maintenance");
      }
      return new StepDone(request.haproxy() + " no longer routes writes to " + request.instance());
    } catch (IOException e) {
      throw unreachable(e);
    }
  }

  /** A server in maintenance, set directly or through the server it tracks. */
  static boolean inMaintenance(HaproxyRuntime.ServerStat stat) {
    return stat.status().startsWith("MAINT");
  }

  /**
   * Runs a runtime command whose success answer is empty (state changes, {@code shutdown sessions}); any
   * other answer ("No such server.", "No such backend.", "Require 'backend/server'.") is a failure naming
   * the HAProxy, the command and the answer.
   */
  static void expectEmpty(HaproxyRuntime rt, HaproxySettings h, String command) throws IOException {
    String answer = rt.command(command).strip();
    if (!answer.isEmpty()) {
      throw refused(h, command, answer, "");
    }
  }

  static ApplicationFailure refused(HaproxySettings h, String command, String answer, String when) {
    return FailureType.HAPROXY_NOT_REPOINTED.failure(h.name() + " refused '" + command + "'" + when + ": " + answer);
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
        throw refused(h, command, again, " after a reload");
      }
      return true;
    }
    throw refused(h, command, answer, "");
  }

  /** Waits at most 5 s for the admin socket to answer again after a reload. */
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
      if (System.nanoTime() > deadline) {
        throw new IOException("HAProxy " + rt.name() + ": the admin socket did not answer 'show info' within 5 s"
            + " of a reload");
      }
      Heartbeats.beat("waiting for " + rt.name() + " to answer after a reload");
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("interrupted while waiting for " + rt.name() + " after a reload");
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

  /**
   * Edits the config file under its lock (threads and processes on this host); a failure names the
   * HAProxy and the file. Returns whether the file changed.
   */
  private static boolean editConfig(HaproxySettings h, UnaryOperator<String> change) {
    try {
      return HaproxyConfigFile.edit(Path.of(h.configFile()), change, HaproxyConfigFile.LOCK_WAIT_MILLIS);
    } catch (IOException | IllegalArgumentException e) {
      throw FailureType.HAPROXY_NOT_REPOINTED.failure(h.name() + " config file " + h.configFile() + ": " + e.getMessage());
    }
  }

  /** A socket failure; the runtime's message names the HAProxy, the socket and the command. */
  private static ApplicationFailure unreachable(IOException e) {
    return FailureType.HAPROXY_UNREACHABLE.failure(e.getMessage());
  }

  private static HaproxyRuntime runtime(HaproxySettings h) {
    return new HaproxyRuntime(h.name(), Path.of(h.adminSocket()),
        h.masterSocket() == null ? null : Path.of(h.masterSocket()));
  }
}
