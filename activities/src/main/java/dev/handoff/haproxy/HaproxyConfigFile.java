package dev.handoff.haproxy;

import dev.handoff.support.Heartbeats;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;

/**
 * Edits a HAProxy config so that, in one backend, exactly the named servers are enabled and every other
 * server line carries {@code disabled}; a reload then keeps what the runtime API set.
 *
 * <p>Several clusters share one HAProxy and so one config file, and several workers may run on its host:
 * {@link #edit} reads, changes and writes the file under a lock that holds across threads (an in-JVM lock
 * per file) and across processes (a {@link FileChannel} lock on the sibling {@code <file>.handoff-lock},
 * never deleted), and writes through a temp file of its own in the same directory, then an atomic move.
 */
public final class HaproxyConfigFile {
  /** How long an edit waits for another edit of the same file before it fails. */
  public static final long LOCK_WAIT_MILLIS = 10_000;
  static final String LOCK_SUFFIX = ".handoff-lock";
  static final String TEMP_SUFFIX = ".handoff-tmp";

  /** One in-JVM lock per lock file: FileChannel locks are held per process, not per thread. */
  private static final ConcurrentHashMap<Path, ReentrantLock> IN_JVM = new ConcurrentHashMap<>();

  private HaproxyConfigFile() {}

  /** Thrown when another edit holds the file's lock for longer than the wait. */
  public static final class LockTimeout extends IOException {
    LockTimeout(String message) {
      super(message);
    }
  }

  /**
   * Applies {@code change} to the file's text under the file's lock (read, change and write all inside it);
   * writes only when the text changed, through a unique temp file and an atomic move. Returns whether it
   * wrote. Waits at most {@code waitMillis} for the lock, then fails naming the file.
   */
  public static boolean edit(Path file, UnaryOperator<String> change, long waitMillis) throws IOException {
    // The real path: a symlinked config is edited where it lives, and every editor finds the same lock.
    Path target = file.toRealPath();
    Path lockFile = target.resolveSibling(target.getFileName() + LOCK_SUFFIX);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
    ReentrantLock inJvm = IN_JVM.computeIfAbsent(lockFile, k -> new ReentrantLock());
    try {
      while (!inJvm.tryLock(Math.min(200, remaining(deadline)), TimeUnit.MILLISECONDS)) {
        if (remaining(deadline) <= 0) {
          throw timeout(target, lockFile, waitMillis, "another thread of this process");
        }
        Heartbeats.beat("waiting for the lock of " + target);
      }
    } catch (InterruptedException e) {
      throw interrupted(target);
    }
    try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      FileLock lock;
      while ((lock = ch.tryLock()) == null) {
        if (remaining(deadline) <= 0) {
          throw timeout(target, lockFile, waitMillis, "another process on this host");
        }
        Heartbeats.beat("waiting for the lock of " + target);
        try {
          Thread.sleep(Math.min(20, Math.max(1, remaining(deadline))));
        } catch (InterruptedException e) {
          throw interrupted(target);
        }
      }
      try {
        return rewrite(target, change);
      } finally {
        lock.release();
      }
    } finally {
      inJvm.unlock();
    }
  }

  /** Read-modify-write; the caller holds the lock. */
  private static boolean rewrite(Path target, UnaryOperator<String> change) throws IOException {
    String before = Files.readString(target);
    String after = change.apply(before);
    if (after.equals(before)) {
      return false;
    }
    Path tmp = Files.createTempFile(target.getParent(), target.getFileName() + ".", TEMP_SUFFIX);
    try {
      keepPermissions(target, tmp);
      try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer bytes = ByteBuffer.wrap(after.getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
          out.write(bytes);
        }
        out.force(true);
      }
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return true;
    } finally {
      Files.deleteIfExists(tmp); // gone after the move; left only by a failed write
    }
  }

  /** A temp file is created owner-only; the config keeps the permissions (and group, where allowed) it had. */
  private static void keepPermissions(Path from, Path to) throws IOException {
    PosixFileAttributeView src = Files.getFileAttributeView(from, PosixFileAttributeView.class);
    PosixFileAttributeView dst = Files.getFileAttributeView(to, PosixFileAttributeView.class);
    if (src == null || dst == null) {
      return;
    }
    var attrs = src.readAttributes();
    dst.setPermissions(attrs.permissions());
    try {
      dst.setGroup(attrs.group());
    } catch (IOException notAllowed) {
      // only the owner's groups may be set; the permissions above still apply
    }
  }

  private static InterruptedIOException interrupted(Path target) {
    Thread.currentThread().interrupt();
    return new InterruptedIOException("interrupted while waiting for the lock of " + target);
  }

  private static long remaining(long deadline) {
    return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
  }

  private static LockTimeout timeout(Path target, Path lockFile, long waitMillis, String holder) {
    return new LockTimeout("could not lock HAProxy config " + target + " within " + waitMillis + " ms: "
        + holder + " holds its lock (" + lockFile + ")");
  }

  /** Marks one server of one backend {@code disabled}, leaving every other line as it is. */
  public static String disable(String config, String backend, String server) {
    return mapServers(config, backend, (name, line) -> name.equals(server) ? enabledLine(line) + " disabled" : line);
  }

  public static String setEnabled(String config, String backend, Set<String> enabled) {
    return mapServers(config, backend,
        (name, line) -> enabled.contains(name) ? enabledLine(line) : enabledLine(line) + " disabled");
  }

  /** Replaces each server line of one backend by {@code change(name, line)}; fails if there is no such backend. */
  private static String mapServers(String config, String backend, BiFunction<String, String, String> change) {
    List<String> out = new ArrayList<>();
    boolean inBackend = false;
    boolean found = false;
    for (String line : config.split("\n", -1)) {
      String t = line.strip();
      if (isSectionHeader(t)) {
        inBackend = t.equals("backend " + backend) || t.startsWith("backend " + backend + " ");
        found |= inBackend;
      }
      out.add(inBackend && t.startsWith("server ") ? change.apply(t.split("\\s+")[1], line) : line);
    }
    if (!found) {
      throw new IllegalArgumentException("no backend " + backend + " in the config");
    }
    return String.join("\n", out);
  }

  private static String enabledLine(String serverLine) {
    return serverLine.replaceAll("\\s+disabled\\s*$", "");
  }

  private static boolean isSectionHeader(String t) {
    for (String s : List.of("global", "defaults", "frontend", "backend", "listen", "peers", "resolvers", "userlist",
        "program", "cache", "ring", "http-errors", "mailers")) {
      if (t.equals(s) || t.startsWith(s + " ")) {
        return true;
      }
    }
    return false;
  }
}
