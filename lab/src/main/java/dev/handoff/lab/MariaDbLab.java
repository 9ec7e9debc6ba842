package dev.handoff.lab;

import dev.handoff.process.LocalProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * MariaDB instances for the lab: one template datadir initialised once per server version and copied
 * for each instance, each instance its own mariadbd with GTID replication, semi-sync and short
 * replication heartbeats.
 */
final class MariaDbLab {
  /** Small InnoDB files: a copied datadir is ~26 MB and starts in well under a second. */
  private static final List<String> SMALL_INNODB = List.of(
      "--innodb-log-file-size=8M", "--innodb-data-file-path=ibdata1:12M:autoextend",
      "--innodb-buffer-pool-size=32M");
  static final int SEMI_SYNC_TIMEOUT_MILLIS = 3000;
  static final int REPLICA_NET_TIMEOUT_SECONDS = 4;
  static final int REPLICA_HEARTBEAT_SECONDS = 1;

  private MariaDbLab() {}

  static boolean runningAsRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** The template datadir for this server version, created on first use. */
  static Path template() {
    String version = run(List.of(Binaries.MARIADBD.path().toString(), "--version")).trim();
    String tag = version.replaceAll("[^A-Za-z0-9.]+", "_");
    Path dir = LabDefaults.cacheDir().resolve("mariadb-template").resolve(Integer.toHexString(tag.hashCode()));
    if (Files.isDirectory(dir.resolve("mysql"))) {
      return dir;
    }
    Path tmp = dir.resolveSibling(dir.getFileName() + ".tmp" + ProcessHandle.current().pid());
    try {
      Files.createDirectories(tmp.getParent());
      List<String> cmd = new ArrayList<>(List.of(Binaries.MARIADB_INSTALL_DB.path().toString(), "--no-defaults",
          "--datadir=" + tmp, "--auth-root-authentication-method=socket", "--skip-test-db",
          "--skip-name-resolve"));
      if (runningAsRoot()) {
        cmd.add("--user=root");
      }
      cmd.addAll(SMALL_INNODB);
      run(cmd);
      Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      if (!Files.isDirectory(dir.resolve("mysql"))) {
        throw new LabException("cannot create the MariaDB template datadir " + dir + ": " + e.getMessage(), e);
      }
    }
    return dir;
  }

  static void copyTemplate(Path template, Path datadir) {
    run(List.of("cp", "-a", template.toString(), datadir.toString()));
  }

  static LocalProcess start(String name, Path datadir, int port, int serverId, boolean primary, Path log) {
    List<String> cmd = new ArrayList<>(List.of(Binaries.MARIADBD.path().toString(), "--no-defaults",
        "--datadir=" + datadir, "--port=" + port, "--bind-address=127.0.0.1",
        "--socket=" + socket(datadir), "--pid-file=" + datadir.resolve("mariadbd.pid"),
        "--log-error=" + datadir.resolve("error.log"), "--server-id=" + serverId,
        "--log-bin=binlog", "--relay-log=relay-bin", "--log-slave-updates", "--gtid-strict-mode=1",
        "--gtid-domain-id=0", "--binlog-format=ROW", "--skip-name-resolve",
        "--read-only=" + (primary ? 0 : 1),
        // Semi-sync: every instance can acknowledge; the primary's master side is switched on once its
        // replicas are connected. Lossless wait point: the replica acknowledges before the commit.
        "--rpl-semi-sync-slave-enabled=1", "--rpl-semi-sync-master-enabled=0",
        "--rpl-semi-sync-master-wait-point=AFTER_SYNC",
        "--rpl-semi-sync-master-timeout=" + SEMI_SYNC_TIMEOUT_MILLIS,
        "--slave-net-timeout=" + REPLICA_NET_TIMEOUT_SECONDS,
        "--report-host=127.0.0.1", "--report-port=" + port,
        "--max-connections=300", "--performance-schema=OFF"));
    if (runningAsRoot()) {
      cmd.add("--user=root");
    }
    cmd.addAll(SMALL_INNODB);
    return LocalProcess.spawn(name, cmd, log, datadir);
  }

  static Path socket(Path datadir) {
    return datadir.resolve("mysqld.sock");
  }

  static void waitReady(LocalProcess p, Path datadir, int port, long timeoutMillis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (System.nanoTime() < deadline) {
      if (!p.alive()) {
        throw new LabException(p.name() + " exited during start; its error log:\n"
            + tail(datadir.resolve("error.log")));
      }
      if (Files.exists(socket(datadir)) && Ports.listening("127.0.0.1", port)) {
        return;
      }
      LocalProcess.sleep(50);
    }
    throw new LabException(p.name() + " did not listen on 127.0.0.1:" + port + " within "
        + timeoutMillis + " ms; its error log:\n" + tail(datadir.resolve("error.log")));
  }

  /** Runs SQL as the OS user through the instance's socket; SQL goes by stdin, never on a command line. */
  static String sql(Path datadir, String sql) {
    List<String> cmd = List.of(Binaries.MARIADB_CLIENT.path().toString(), "--no-defaults",
        "--socket=" + socket(datadir), "-uroot", "--batch", "--skip-column-names");
    return run(cmd, sql);
  }

  static String tail(Path file) {
    try {
      List<String> lines = Files.readAllLines(file);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    } catch (IOException e) {
      return "(cannot read " + file + ")";
    }
  }

  static String run(List<String> cmd) {
    return run(cmd, null);
  }

  static String run(List<String> cmd, String stdin) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      if (stdin != null) {
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new LabException(cmd.get(0) + " did not finish within 60 s");
      }
      if (p.exitValue() != 0) {
        throw new LabException(Path.of(cmd.get(0)).getFileName() + " failed (exit " + p.exitValue() + "): "
            + out.strip());
      }
      return out;
    } catch (IOException e) {
      throw new LabException("cannot run " + cmd.get(0) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LabException("interrupted while running " + cmd.get(0), e);
    }
  }
}
