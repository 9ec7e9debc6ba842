package dev.handoff.lab;

import dev.handoff.haproxy.HaproxyRuntime;
import dev.handoff.process.LocalProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * HAProxy for the lab. Remote tier: per cluster a writer frontend whose backend serves only the
 * primary (the other instances are listed but disabled, so a repoint is a state change, not a new
 * server) and a reader frontend over the replicas. Local tier: one instance forwarding each cluster's
 * frontends to the remote tier.
 */
final class HaproxyLab {
  private HaproxyLab() {}

  /** One cluster as the remote tier routes it. */
  record ClusterRoute(String name, String primary, List<String> replicas, int writerPort, int readerPort) {}

  /** One cluster as the local tier forwards it: its own ports, and the remote tier's ports per remote. */
  record LocalRoute(String name, int writerPort, int readerPort, Map<String, int[]> remotePorts) {}

  private static final String GLOBAL = """
      global
          master-worker
          stats socket %s mode 600 level admin
          stats timeout 10s

      defaults
          mode tcp
          timeout connect 1s
          timeout client 1h
          timeout server 1h
          default-server inter 500ms fall 2 rise 1

      """;

  static String remoteConfig(Path adminSocket, List<ClusterRoute> clusters) {
    StringBuilder b = new StringBuilder(GLOBAL.formatted(adminSocket));
    for (ClusterRoute c : clusters) {
      List<String> all = new java.util.ArrayList<>();
      all.add(c.primary());
      all.addAll(c.replicas());
      b.append("frontend ").append(c.name()).append("_writer_in\n")
          .append("    bind 127.0.0.1:").append(c.writerPort()).append('\n')
          .append("    default_backend ").append(c.name()).append("_writer\n\n");
      b.append("backend ").append(c.name()).append("_writer\n");
      for (String key : all) {
        b.append(serverLine(key, !key.equals(c.primary())));
      }
      b.append('\n');
      b.append("frontend ").append(c.name()).append("_reader_in\n")
          .append("    bind 127.0.0.1:").append(c.readerPort()).append('\n')
          .append("    default_backend ").append(c.name()).append("_reader\n\n");
      b.append("backend ").append(c.name()).append("_reader\n    balance roundrobin\n");
      for (String key : all) {
        b.append(serverLine(key, key.equals(c.primary())));
      }
      b.append('\n');
    }
    return b.toString();
  }

  static String serverLine(String key, boolean disabled) {
    return "    server " + HaproxyRuntime.serverName(key) + " " + key
        + " check on-marked-down shutdown-sessions" + (disabled ? " disabled" : "") + "\n";
  }

  static String localConfig(Path adminSocket, List<LocalRoute> clusters) {
    StringBuilder b = new StringBuilder(GLOBAL.formatted(adminSocket));
    for (LocalRoute c : clusters) {
      for (String role : List.of("writer", "reader")) {
        int port = role.equals("writer") ? c.writerPort() : c.readerPort();
        b.append("frontend ").append(c.name()).append('_').append(role).append("_in\n")
            .append("    bind 127.0.0.1:").append(port).append('\n')
            .append("    default_backend ").append(c.name()).append('_').append(role).append("_remote\n\n");
        b.append("backend ").append(c.name()).append('_').append(role).append("_remote\n    balance first\n");
        c.remotePorts().forEach((remote, ports) -> b.append("    server ").append(remote)
            .append(" 127.0.0.1:").append(role.equals("writer") ? ports[0] : ports[1]).append(" check\n"));
        b.append('\n');
      }
    }
    return b.toString();
  }

  static LocalProcess start(String name, Path dir, String config, Path log) {
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("haproxy.cfg"), config);
    } catch (IOException e) {
      throw new LabException("cannot write the config of " + name + ": " + e.getMessage(), e);
    }
    MariaDbLab.run(List.of(Binaries.HAPROXY.path().toString(), "-c", "-q", "-f", dir.resolve("haproxy.cfg").toString()));
    return LocalProcess.spawn(name, List.of(Binaries.HAPROXY.path().toString(), "-W",
        "-S", masterSocket(dir) + ",mode,600", "-f", dir.resolve("haproxy.cfg").toString()), log, dir);
  }

  static Path adminSocket(Path dir) {
    return dir.resolve("admin.sock");
  }

  static Path masterSocket(Path dir) {
    return dir.resolve("master.sock");
  }

  static void waitReady(LocalProcess p, Path dir, long timeoutMillis) {
    HaproxyRuntime rt = new HaproxyRuntime(adminSocket(dir), masterSocket(dir));
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (System.nanoTime() < deadline) {
      if (!p.alive()) {
        throw new LabException(p.name() + " exited during start:\n" + p.logTail(15));
      }
      try {
        if (rt.command("show info").contains("Name: HAProxy")) {
          return;
        }
      } catch (IOException notYet) {
        // the socket appears once the worker is up
      }
      LocalProcess.sleep(50);
    }
    throw new LabException(p.name() + " did not answer on its admin socket within " + timeoutMillis + " ms:\n"
        + p.logTail(15));
  }
}
