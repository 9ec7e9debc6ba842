package dev.handoff.lab;

import dev.handoff.process.LocalProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Gives an integration test class a running lab: started before the class, stopped after it, and the
 * tail of every process log printed when a test fails. Register it as a static field:
 * {@code @RegisterExtension static final LabExtension LAB = LabExtension.clusters(1).replicas(2);}
 *
 * <p>With {@code -Dhandoff.lab.spare=true} (the worker module's integration tests set it), a class whose lab
 * is up starts a spare one of the common shape (one cluster, two replicas) beside its tests, and the next
 * class of that shape takes it instead of waiting for its own: a fresh lab either way, started earlier. The
 * spare left at the end is stopped when the JVM exits.
 */
public final class LabExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver, TestWatcher {
  private static final boolean SPARES = Boolean.getBoolean("handoff.lab.spare");
  private static final int SPARE_CLUSTERS = 1;
  private static final int SPARE_REPLICAS = 2;
  /** How long a class waits for the spare it takes, or the exit for the spare it stops. */
  private static final long SPARE_WAIT_SECONDS = 120;
  /** The lab being started for the next class, and what it said while starting; null when none. */
  private static Spare spare;
  private static boolean stopSpareAtExit;

  private record Spare(Path dir, CompletableFuture<LabInfo> info, List<String> said) {}

  private final int clusters;
  private final int replicas;
  private LabInfo info;
  private Path dir;

  private LabExtension(int clusters, int replicas) {
    this.clusters = clusters;
    this.replicas = replicas;
  }

  public static LabExtension clusters(int clusters) {
    return new LabExtension(clusters, 2);
  }

  public LabExtension replicas(int replicas) {
    return new LabExtension(clusters, replicas);
  }

  public LabInfo info() {
    if (info == null) {
      throw new IllegalStateException("the lab is not running (the extension starts it before the test class)");
    }
    return info;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    Spare taken = clusters == SPARE_CLUSTERS && replicas == SPARE_REPLICAS ? takeSpare() : null;
    if (taken != null) {
      try {
        info = taken.info().get(SPARE_WAIT_SECONDS, TimeUnit.SECONDS);
        dir = taken.dir();
        taken.said().forEach(line -> System.out.println("[lab] (started beside the previous class) " + line));
      } catch (Exception failed) {
        System.out.println("[lab] the spare lab did not start (" + failed + "); starting this class's own");
        taken.said().forEach(line -> System.out.println("[lab] (spare) " + line));
        stopQuietly(taken);
      }
    }
    if (info == null) {
      // Short path: Unix socket paths under the lab dir must stay under 107 bytes.
      dir = Files.createTempDirectory(Path.of("/tmp"), "hl-");
      try {
        info = Lab.up(new LabSpec(dir, clusters, replicas, null), line -> System.out.println("[lab] " + line));
      } catch (RuntimeException e) {
        printLogs();
        throw e;
      }
    }
    if (SPARES) {
      prepareSpare();
    }
  }

  private static synchronized Spare takeSpare() {
    Spare s = spare;
    spare = null;
    return s;
  }

  /** Starts the next class's lab beside this class's tests, unless one is already being started. */
  private static synchronized void prepareSpare() throws IOException {
    if (spare != null) {
      return;
    }
    Path d = Files.createTempDirectory(Path.of("/tmp"), "hl-");
    List<String> said = new CopyOnWriteArrayList<>();
    CompletableFuture<LabInfo> up = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        up.complete(Lab.up(new LabSpec(d, SPARE_CLUSTERS, SPARE_REPLICAS, null), said::add));
      } catch (Throwable e) {
        up.completeExceptionally(e);
      }
    }, "spare-lab");
    t.setDaemon(true);
    t.start();
    spare = new Spare(d, up, said);
    if (!stopSpareAtExit) {
      stopSpareAtExit = true;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        Spare left = takeSpare();
        if (left != null) {
          stopQuietly(left);
        }
      }, "spare-lab-stop"));
    }
  }

  /** Stops a spare once its start has ended (it may still be starting): nothing it started stays behind. */
  private static void stopQuietly(Spare s) {
    try {
      s.info().get(SPARE_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception startFailedOrSlow) {
      // Lab.up cleans up after a failed start; a slow one is stopped by what it has started so far
    }
    if (Files.exists(s.dir())) {
      Lab.down(s.dir(), false, line -> { });
    }
  }

  /**
   * Before the lab goes: invariant 7, no configured secret in any workflow history the class produced.
   * The lab is stopped either way; a leak fails the class.
   */
  @Override
  public void afterAll(ExtensionContext context) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    HistorySecrets.Scan scan = null;
    try {
      if (info != null) {
        scan = HistorySecrets.scan(info.config());
        System.out.println("[lab] secrets check: " + scan.histories() + " workflow histories read, "
            + scan.leaks().size() + " leaks");
      }
    } finally {
      Lab.down(dir, false, line -> System.out.println("[lab] " + line));
    }
    if (scan != null && !scan.leaks().isEmpty()) {
      throw new AssertionError("configured secrets found in workflow histories: " + scan.leaks());
    }
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    System.out.println("[lab] " + context.getDisplayName() + " failed: " + cause);
    printLogs();
  }

  /** Prints the last lines of every lab process's log and of every MariaDB error log. */
  public void printLogs() {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    for (LocalProcess p : Lab.processes(dir)) {
      System.out.println("----- " + p.name() + " (pid " + p.pid() + (p.alive() ? ", running" : ", stopped")
          + ") " + p.log());
      System.out.println(p.logTail(20));
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.filter(f -> f.getFileName().toString().equals("error.log")).forEach(f -> {
        System.out.println("----- " + f);
        System.out.println(MariaDbLab.tail(f));
      });
    } catch (IOException e) {
      System.out.println("(cannot list " + dir + ": " + e.getMessage() + ")");
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
    return p.getParameter().getType() == LabInfo.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext e) {
    return info();
  }
}
