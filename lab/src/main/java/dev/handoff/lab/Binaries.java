package dev.handoff.lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Finds the programs the lab runs; a missing one names its package and the install script. */
final class Binaries {
  private Binaries() {}

  static final String INSTALL_HINT = "run scripts/install-deps (it installs every part the lab needs)";

  static Path mariadbd() {
    return require("mariadbd", "Debian package mariadb-server", "/usr/sbin/mariadbd");
  }

  static Path mariadbInstallDb() {
    return require("mariadb-install-db", "Debian package mariadb-server", "/usr/bin/mariadb-install-db");
  }

  static Path mariadbClient() {
    return require("mariadb", "Debian package mariadb-client (pulled in by mariadb-server)", "/usr/bin/mariadb");
  }

  static Path haproxy() {
    return require("haproxy", "Debian package haproxy", "/usr/sbin/haproxy");
  }

  static Path ptHeartbeat() {
    return require("pt-heartbeat", "Debian package percona-toolkit", "/usr/bin/pt-heartbeat");
  }

  static Path etcd() {
    return require("etcd", "Debian package etcd-server", "/usr/bin/etcd");
  }

  /** The Temporal CLI: $HANDOFF_TEMPORAL_CLI, the install script's cache, or PATH. */
  static Path temporal() {
    String env = System.getenv("HANDOFF_TEMPORAL_CLI");
    if (env != null && Files.isExecutable(Path.of(env))) {
      return Path.of(env);
    }
    return require("temporal", "the Temporal CLI (built by scripts/install-deps into "
        + LabDefaults.cacheDir().resolve("bin") + ")", LabDefaults.cacheDir().resolve("bin/temporal").toString());
  }

  static Path require(String name, String from, String... known) {
    return find(name, known).orElseThrow(() -> new LabException(
        "missing program '" + name + "' (from " + from + "); " + INSTALL_HINT));
  }

  static Optional<Path> find(String name, String... known) {
    for (String k : known) {
      Path p = Path.of(k);
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : List.of(path.split(":"))) {
      if (dir.isEmpty()) {
        continue;
      }
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}
