package dev.handoff.worker;

import dev.handoff.config.ConfigFiles;
import dev.handoff.config.HandoffConfig;
import dev.handoff.support.Failpoints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A worker as its own OS process (the way production runs it), with optional failpoints, for chaos tests. */
final class WorkerProcess implements AutoCloseable {
  final Process process;
  final Path log;

  private WorkerProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /** Writes {@code config} beside the log and starts a worker on it; failpoints null for none. */
  static WorkerProcess start(HandoffConfig config, Path dir, String name, String failpoints) throws IOException {
    return start(config, dir, name, failpoints, "halt");
  }

  /** As {@link #start(HandoffConfig, Path, String, String)}, with what a hit failpoint does (halt, pause, delay:MS). */
  static WorkerProcess start(HandoffConfig config, Path dir, String name, String failpoints, String action)
      throws IOException {
    Path configFile = writeConfig(config, dir, name);
    return new WorkerProcess(spawn(dir, name, failpoints, action, WorkerMain.class, configFile.toString()),
        dir.resolve(name + ".log"));
  }

  /**
   * A worker JVM started ahead of need ({@link StandbyWorker}): it loads the worker's classes and then waits,
   * connected to nothing, polling no task queue, until {@link #go} hands it its configuration. The JVM's
   * start (seconds on a busy 2-core machine) is then off a trial's clock; the worker itself starts at {@code go}.
   * Failpoints are read from the environment, so they are fixed here.
   */
  static WorkerProcess standby(Path dir, String name, String failpoints, String action) throws IOException {
    return new WorkerProcess(spawn(dir, name, failpoints, action, StandbyWorker.class), dir.resolve(name + ".log"));
  }

  /** Starts the worker of a {@link #standby} JVM on {@code config}; {@link #awaitReady} then as for {@link #start}. */
  void go(HandoffConfig config, Path dir, String name) throws IOException {
    Path configFile = writeConfig(config, dir, name);
    var stdin = process.getOutputStream();
    stdin.write((configFile + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    stdin.flush();
  }

  private static Path writeConfig(HandoffConfig config, Path dir, String name) throws IOException {
    Files.createDirectories(dir);
    Path configFile = dir.resolve(name + ".yml");
    ConfigFiles.write(config, configFile);
    return configFile;
  }

  private static Process spawn(Path dir, String name, String failpoints, String action, Class<?> main,
      String... args) throws IOException {
    Files.createDirectories(dir);
    Path log = dir.resolve(name + ".log");
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), main.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().remove(Failpoints.ENV);
    pb.environment().remove(Failpoints.ACTION_ENV);
    if (failpoints != null) {
      pb.environment().put(Failpoints.ENV, failpoints);
      pb.environment().put(Failpoints.ACTION_ENV, action);
    }
    return pb.start();
  }

  void awaitReady(long millis) throws Exception {
    long deadline = System.nanoTime() + millis * 1_000_000;
    while (System.nanoTime() < deadline) {
      if (logText().contains("worker ready")) {
        return;
      }
      if (!process.isAlive()) {
        throw new AssertionError("worker exited during start:\n" + logText());
      }
      Thread.sleep(50);
    }
    throw new AssertionError("worker not ready after " + millis + " ms:\n" + logText());
  }

  /** True when the log shows {@code text} within the time. */
  boolean awaitLog(String text, long millis) throws InterruptedException {
    long deadline = System.nanoTime() + millis * 1_000_000;
    while (System.nanoTime() < deadline) {
      if (logText().contains(text)) {
        return true;
      }
      if (!process.isAlive()) {
        return logText().contains(text);
      }
      Thread.sleep(20);
    }
    return false;
  }

  /** True when the process exited (a failpoint halted it) within the time. */
  boolean awaitExit(long millis) throws InterruptedException {
    return process.waitFor(millis, TimeUnit.MILLISECONDS);
  }

  /**
   * Stops the process where it is (SIGSTOP): a worker paused at a failpoint polls no more tasks, so a retry
   * of its step goes to the next worker instead of back to it, as after a real crash.
   */
  void freeze() throws IOException, InterruptedException {
    Process stop = new ProcessBuilder("kill", "-STOP", Long.toString(process.pid())).inheritIO().start();
    if (!stop.waitFor(5, TimeUnit.SECONDS) || stop.exitValue() != 0) {
      throw new IOException("could not stop worker process " + process.pid());
    }
  }

  long pid() {
    return process.pid();
  }

  void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  String logText() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "";
    }
  }

  /** Asks the worker to shut down (SIGTERM) and returns at once; {@link #close} then waits for it. */
  void stop() {
    process.destroy();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        kill9();
      }
    }
  }
}
