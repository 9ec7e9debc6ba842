package dev.handoff.lab;

import dev.handoff.process.LocalProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 */
public final class LabExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver, TestWatcher {
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
    // Short path: Unix socket paths under the lab dir must stay under 107 bytes.
    dir = Files.createTempDirectory(Path.of("/tmp"), "hl-");
    try {
      info = Lab.up(new LabSpec(dir, clusters, replicas, null), line -> System.out.println("[lab] " + line));
    } catch (RuntimeException e) {
      printLogs();
      throw e;
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
