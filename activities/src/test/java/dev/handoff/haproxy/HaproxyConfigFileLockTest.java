package dev.handoff.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Config edits by many threads, and by another process, on one shared file. */
@Timeout(60)
class HaproxyConfigFileLockTest {
  @TempDir
  Path tmp;

  private static final int BACKENDS = 6;
  private static final int EDITS = 60;

  private Path config() throws Exception {
    StringBuilder b = new StringBuilder("global\n    master-worker\n\n");
    for (int i = 0; i < BACKENDS; i++) {
      b.append("backend c").append(i).append("_writer\n")
          .append("    server a a:1 check\n")
          .append("    server b b:1 check disabled\n\n");
    }
    return Files.writeString(tmp.resolve("haproxy.cfg"), b.toString());
  }

  @Test
  void editsOfManyThreadsAreAllKept() throws Exception {
    Path cfg = config();
    ExecutorService pool = Executors.newFixedThreadPool(BACKENDS);
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (int i = 0; i < BACKENDS; i++) {
        String backend = "c" + i + "_writer";
        runs.add(pool.submit(() -> {
          for (int n = 0; n < EDITS; n++) {
            Set<String> enabled = Set.of(n % 2 == 0 ? "b" : "a");
            HaproxyConfigFile.edit(cfg, s -> HaproxyConfigFile.setEnabled(s, backend, enabled), 10_000);
          }
          return null;
        }));
      }
      for (Future<?> run : runs) {
        run.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    String text = Files.readString(cfg);
    // EDITS is even: each backend's last edit enabled "a" only
    for (int i = 0; i < BACKENDS; i++) {
      assertThat(text).as("backend c" + i).contains("backend c" + i + "_writer\n    server a a:1 check\n"
          + "    server b b:1 check disabled\n");
    }
    try (Stream<Path> files = Files.list(tmp)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("haproxy.cfg", "haproxy.cfg" + HaproxyConfigFile.LOCK_SUFFIX);
    }
  }

  @Test
  void anEditWaitsForAnotherProcessAndThenFailsNamingTheFile() throws Exception {
    Path cfg = config();
    Path lockFile = cfg.toRealPath().resolveSibling("haproxy.cfg" + HaproxyConfigFile.LOCK_SUFFIX);
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process holder = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
        ConfigLockHolder.class.getName(), lockFile.toString()).redirectErrorStream(true).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      String first = CompletableFuture.supplyAsync(() -> {
        try {
          return out.readLine();
        } catch (java.io.IOException e) {
          return e.toString();
        }
      }).get(20, TimeUnit.SECONDS);
      assertThat(first).isEqualTo("locked");

      long start = System.nanoTime();
      assertThatThrownBy(() -> HaproxyConfigFile.edit(cfg, s -> s + "# changed\n", 300))
          .isInstanceOf(HaproxyConfigFile.LockTimeout.class)
          .hasMessageContaining("could not lock HAProxy config " + cfg.toRealPath() + " within 300 ms")
          .hasMessageContaining("another process on this host");
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(250L, 5_000L);
      assertThat(Files.readString(cfg)).doesNotContain("# changed");

      holder.getOutputStream().close();
      assertThat(holder.waitFor(20, TimeUnit.SECONDS)).as("lock holder exited").isTrue();
      assertThat(HaproxyConfigFile.edit(cfg, s -> s + "# changed\n", 5_000)).isTrue();
      assertThat(Files.readString(cfg)).endsWith("# changed\n");
    } finally {
      holder.destroyForcibly();
    }
  }

  @Test
  void anEditKeepsTheFilesPermissionsAndAnUnchangedTextIsNotWritten() throws Exception {
    Path cfg = config();
    Files.setPosixFilePermissions(cfg, PosixFilePermissions.fromString("rw-r-----"));
    Object inode = Files.readAttributes(cfg, "unix:ino").get("ino");
    assertThat(HaproxyConfigFile.edit(cfg, s -> s, 1_000)).isFalse();
    assertThat(Files.readAttributes(cfg, "unix:ino").get("ino")).as("not rewritten").isEqualTo(inode);
    assertThat(HaproxyConfigFile.edit(cfg,
        s -> HaproxyConfigFile.setEnabled(s, "c0_writer", Set.of("b")), 1_000)).isTrue();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cfg))).isEqualTo("rw-r-----");
    assertThat(Files.readString(cfg)).contains("backend c0_writer\n    server a a:1 check disabled\n"
        + "    server b b:1 check\n");
  }

  @Test
  void disableTouchesOnlyTheNamedServerOfTheNamedBackend() throws Exception {
    String text = Files.readString(config());
    String out = HaproxyConfigFile.disable(text, "c1_writer", "a");
    assertThat(out).contains("backend c1_writer\n    server a a:1 check disabled\n    server b b:1 check disabled\n")
        .contains("backend c0_writer\n    server a a:1 check\n")
        .contains("backend c2_writer\n    server a a:1 check\n");
    assertThat(HaproxyConfigFile.disable(out, "c1_writer", "a")).isEqualTo(out);
    assertThatThrownBy(() -> HaproxyConfigFile.disable(text, "nope", "a")).hasMessageContaining("no backend nope");
  }
}
