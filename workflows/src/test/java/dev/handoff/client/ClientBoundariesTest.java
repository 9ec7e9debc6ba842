package dev.handoff.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The client side (dev.handoff.client) and the configuration (dev.handoff.config) are what the CLI and the ops UI
 * share: they use no JDBC, no etcd and nothing of the worker's or the activities' MySQL code. Workflow code uses no
 * client. Read from the sources, imports and fully qualified names alike.
 */
class ClientBoundariesTest {
  private static final Path SOURCES = Path.of("src/main/java/dev/handoff");
  private static final List<String> SHARED = List.of("client", "config");
  private static final List<String> BANNED_IN_SHARED =
      List.of("java.sql", "dev.handoff.worker", "dev.handoff.mysql", "io.etcd");
  private static final List<String> WORKFLOW_CODE =
      List.of("switchover", "recovery", "runbook", "planning", "domain");
  private static final List<String> BANNED_IN_WORKFLOW_CODE = List.of("dev.handoff.client");

  @Test
  void theClientAndTheConfigUseNoJdbcEtcdWorkerOrMysqlCode() {
    assertThat(violations(SHARED, BANNED_IN_SHARED)).isEmpty();
  }

  @Test
  void workflowCodeUsesNoClient() {
    assertThat(violations(WORKFLOW_CODE, BANNED_IN_WORKFLOW_CODE)).isEmpty();
  }

  @Test
  void theCheckSeesWhatItLooksFor() {
    assertThat(references("import java.sql.Connection;\nclass A {}", BANNED_IN_SHARED)).containsExactly("java.sql");
    assertThat(references("class A { io.etcd.jetcd.Client c; }", BANNED_IN_SHARED)).containsExactly("io.etcd");
    assertThat(references("import static dev.handoff.client.Runbooks.decide;", BANNED_IN_WORKFLOW_CODE))
        .containsExactly("dev.handoff.client");
    assertThat(references("// see java.sql.Connection\n/* dev.handoff.worker */ class A {}", BANNED_IN_SHARED))
        .isEmpty();
    assertThat(references("import dev.handoff.mysqlish.X;", BANNED_IN_SHARED)).isEmpty();
    for (String pkg : SHARED) {
      assertThat(javaFiles(pkg)).as(pkg + " has sources to check").isNotEmpty();
    }
    for (String pkg : WORKFLOW_CODE) {
      assertThat(javaFiles(pkg)).as(pkg + " has sources to check").isNotEmpty();
    }
  }

  private static List<String> violations(List<String> packages, List<String> banned) {
    List<String> found = new ArrayList<>();
    for (String pkg : packages) {
      for (Path f : javaFiles(pkg)) {
        try {
          references(Files.readString(f), banned).forEach(b -> found.add(f + " uses " + b));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    return found;
  }

  /** The banned packages the source names outside comments and string literals. */
  static List<String> references(String source, List<String> banned) {
    String code = source.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\\n]*", " ")
        .replaceAll("\"(?:\\\\.|[^\"\\\\])*\"", "\"\"");
    List<String> found = new ArrayList<>();
    for (String b : banned) {
      Matcher m = Pattern.compile("(?<![\\w.])" + Pattern.quote(b) + "(?![\\w])").matcher(code);
      if (m.find()) {
        found.add(b);
      }
    }
    return found;
  }

  private static List<Path> javaFiles(String pkg) {
    Path dir = SOURCES.resolve(pkg);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.toString().endsWith(".java")).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
