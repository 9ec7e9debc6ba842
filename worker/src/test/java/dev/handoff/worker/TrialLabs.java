package dev.handoff.worker;

import dev.handoff.lab.Lab;
import dev.handoff.lab.LabInfo;
import dev.handoff.lab.LabSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A fresh lab (one cluster of three) for each of {@code count} chaos trials, its start and stop off the trials'
 * clock: when a trial {@link #take}s its lab, the next trial's starts in the background, and a used lab stops
 * in the background after the trial's last checks ({@link #stopAfter}). Both happen while the next trial
 * starts its worker; a trial calls {@link #awaitQuiet} before its crash, so that nothing else starts, stops
 * or checks while it measures.
 */
final class TrialLabs implements AutoCloseable {
  /** A lab's start, or a trial's last checks and its lab's stop, take seconds; these bounds are far past them. */
  static final long UP_SECONDS = 120;
  static final long DOWN_SECONDS = 120;

  private final int count;
  private final ExecutorService background = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "trial-labs");
    t.setDaemon(true);
    return t;
  });
  private int started;
  private CompletableFuture<LabInfo> next;
  private final List<CompletableFuture<?>> stopping = new ArrayList<>();

  TrialLabs(int count) {
    this.count = count;
  }

  /** This trial's lab, once it is up; the next trial's then starts in the background. */
  LabInfo take() throws Exception {
    startNext();
    CompletableFuture<LabInfo> lab = next;
    next = null;
    LabInfo info = lab.get(UP_SECONDS, TimeUnit.SECONDS);
    startNext();
    return info;
  }

  private void startNext() {
    if (next != null || started == count) {
      return;
    }
    started++;
    Path dir;
    try {
      dir = Files.createTempDirectory(Path.of("/tmp"), "hu-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    next = CompletableFuture.supplyAsync(() -> Lab.up(new LabSpec(dir, 1, 2, null), line -> { }), background);
  }

  /**
   * Runs {@code lastChecks} in the background, then stops {@code lab} (every process it recorded) and removes
   * its dir, whether the checks passed or not. The result is the checks' (or their failure, or the stop's).
   */
  <T> CompletableFuture<T> stopAfter(LabInfo lab, Callable<T> lastChecks) {
    CompletableFuture<T> done = CompletableFuture.supplyAsync(() -> {
      T result;
      try {
        result = lastChecks.call();
      } catch (Exception e) {
        Lab.down(lab.dir(), false, line -> { });
        throw new CompletionException(e);
      }
      Lab.down(lab.dir(), false, line -> { });
      return result;
    }, background);
    stopping.add(done);
    return done;
  }

  /**
   * Returns once every earlier trial's last checks are done and its lab is down, and the next trial's lab is
   * up. How they ended is theirs to report (their futures); this only waits.
   */
  void awaitQuiet() throws Exception {
    awaitStopped();
    if (next != null) {
      next.handle((r, e) -> null).get(UP_SECONDS, TimeUnit.SECONDS);
    }
  }

  private void awaitStopped() throws Exception {
    for (CompletableFuture<?> s : stopping) {
      s.handle((r, e) -> null).get(DOWN_SECONDS, TimeUnit.SECONDS);
    }
    stopping.clear();
  }

  /** Stops a lab started for a trial that never ran, and waits for every stop. */
  @Override
  public void close() throws Exception {
    try {
      if (next != null) {
        CompletableFuture<LabInfo> unused = next;
        next = null;
        stopAfter(unused.get(UP_SECONDS, TimeUnit.SECONDS), () -> null);
      }
      awaitStopped();
    } finally {
      background.shutdown();
    }
  }
}
