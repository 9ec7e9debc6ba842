package dev.handoff.process;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A process Handoff started (a lab part, or pt-heartbeat on a replica host), known by pid and start time so that stopping it can never hit a
 * process that merely reuses the pid.
 */
public record LocalProcess(String name, long pid, long startTicks, String log) {

  /** Starts a command in its own session (so a Ctrl-C of the CLI does not reach it), output to the log. */
  public static LocalProcess spawn(String name, List<String> command, Path log, Path workDir) {
    List<String> cmd = new ArrayList<>();
    cmd.add("setsid");
    cmd.addAll(command);
    ProcessBuilder pb = new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    if (workDir != null) {
      pb.directory(workDir.toFile());
    }
    try {
      Process p = pb.start();
      long pid = p.pid();
      return new LocalProcess(name, pid, startTicks(pid), log.toString());
    } catch (IOException e) {
      throw new ProcessException("cannot start " + name + " (" + command.get(0) + "): " + e.getMessage(), e);
    }
  }

  /** Alive: the pid exists, is the same process we started, and is not a zombie. */
  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean alive() {
    String stat = stat(pid);
    if (stat == null) {
      return false;
    }
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return !f[0].equals("Z") && !f[0].equals("X") && Long.parseLong(f[19]) == startTicks;
  }

  /** SIGTERM, then SIGKILL after the grace period; returns true when the process is gone. */
  public boolean stop(long graceMillis) {
    if (!alive()) {
      return true;
    }
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
    if (waitGone(graceMillis)) {
      return true;
    }
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    return waitGone(5000);
  }

  /** Sends a signal by number (SIGSTOP/SIGCONT/SIGKILL for chaos tests). */
  public void signal(String signal) {
    if (!alive()) {
      throw new ProcessException(name + " (pid " + pid + ") is not running");
    }
    try {
      Process k = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
      k.waitFor(5, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new ProcessException("cannot signal " + name + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public boolean waitGone(long millis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (System.nanoTime() < deadline) {
      if (!alive()) {
        return true;
      }
      sleep(50);
    }
    return !alive();
  }

  /** The last lines of the log, for error messages and failed tests. */
  public String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(Path.of(log));
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Records the process beside its pid file, so whoever stops it later can find and verify it. */
  public void save(Path file) {
    try {
      Files.writeString(file, JSON.writeValueAsString(this));
    } catch (IOException e) {
      throw new ProcessException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  public static LocalProcess load(Path file) {
    try {
      return JSON.readValue(Files.readString(file), LocalProcess.class);
    } catch (IOException e) {
      throw new ProcessException("cannot read process record " + file + ": " + e.getMessage(), e);
    }
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  public static final String RECORD_SUFFIX = ".proc.json";

  private static String stat(long pid) {
    try {
      return Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    } catch (IOException e) {
      return null;
    }
  }

  private static long startTicks(long pid) {
    String stat = stat(pid);
    if (stat == null) {
      return -1;
    }
    return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[19]);
  }

  public static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProcessException("interrupted");
    }
  }
}
