package dev.handoff.lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Finds the programs the lab runs; a missing one names its package and the install script. Each constant is a
 * Debian-packaged program: its name, where it comes from, and where Debian puts it.
 */
enum Binaries {
  MARIADBD("mariadbd", "Debian package mariadb-server", "/usr/sbin/mariadbd"),
  MARIADB_INSTALL_DB("mariadb-install-db", "Debian package mariadb-server", "/usr/bin/mariadb-install-db"),
  MARIADB_CLIENT("mariadb", "Debian package mariadb-client (pulled in by mariadb-server)", "/usr/bin/mariadb"),
  HAPROXY("haproxy", "Debian package haproxy", "/usr/sbin/haproxy"),
  PT_HEARTBEAT("pt-heartbeat", "Debian package percona-toolkit", "/usr/bin/pt-heartbeat"),
  ETCD("etcd", "Debian package etcd-server", "/usr/bin/etcd");

  static final String INSTALL_HINT = "run scripts/install-deps (it installs every part the lab needs)";

  private final String program;
  private final String from;
  private final String known;

  Binaries(String program, String from, String known) {
    this.program = program;
    this.from = from;
    this.known = known;
  }

  /** The program's path: where Debian puts it, else on PATH; a missing one is a {@link LabException}. */
  Path path() {
    return require(program, from, known);
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
