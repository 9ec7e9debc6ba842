package dev.handoff.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A failure is raised only through its {@link FailureType} ({@code FailureType.X.failure(message)}), so the CLI
 * and the ops UI know and explain every type: any other way of giving a failure a type in Handoff's main
 * sources (an {@code ApplicationFailure.newFailure} with a type of its own, a {@code setType}) fails the build.
 */
class FailureTypeSourceScanTest {
  /** Calls that give a failure a type of their own choosing. */
  private static final Pattern TYPED_CALL =
      Pattern.compile("ApplicationFailure\\s*\\.\\s*new(NonRetryable)?Failure(WithCause)?\\s*\\(|\\.\\s*setType\\s*\\(");

  /** The two places allowed to build one: the type itself, and the runbook's end (which takes a FailureType). */
  private static final Set<String> ALLOWED = Set.of("FailureType.java", "RunbookWorkflow.java");

  @Test
  void everyTypeHasAStableNameAndAMeaning() {
    for (FailureType t : FailureType.values()) {
      assertThat(t.wireName()).as(t.name()).matches("[A-Z][A-Za-z]+");
      assertThat(t.meaning()).as(t.name()).isNotBlank();
      assertThat(FailureType.fromWire(t.wireName())).isSameAs(t);
    }
    assertThat(FailureType.fromWire("java.lang.NullPointerException")).isSameAs(FailureType.UNEXPECTED);
    assertThat(FailureType.fromWire(null)).isNull();
  }

  @Test
  void noMainSourceGivesAFailureATypeButThroughFailureType() throws IOException {
    Path root = projectRoot();
    List<String> problems = new ArrayList<>();
    int raised = 0;
    try (Stream<Path> modules = Files.list(root)) {
      for (Path module : modules.filter(m -> Files.isDirectory(m.resolve("src/main/java"))).toList()) {
        try (Stream<Path> files = Files.walk(module.resolve("src/main/java"))) {
          for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
            String src = Files.readString(f);
            raised += count(Pattern.compile("FailureType\\.\\w+\\.(failure|nonRetryable)\\s*\\("), src);
            if (!ALLOWED.contains(f.getFileName().toString()) && count(TYPED_CALL, src) > 0) {
              problems.add(root.relativize(f) + " builds a typed failure itself: use FailureType.X.failure(message)");
            }
          }
        }
      }
    }
    assertThat(raised).as("failures raised through FailureType (is the scan still looking in the right place?)")
        .isGreaterThan(30);
    assertThat(problems).isEmpty();
  }

  @Test
  void theScanSeesATypeOfItsOwn() {
    assertThat(count(TYPED_CALL, "throw ApplicationFailure.newFailure(\"x\", \"BrandNew\");")).isEqualTo(1);
    assertThat(count(TYPED_CALL, "throw ApplicationFailure.newNonRetryableFailureWithCause(m, t, e);")).isEqualTo(1);
    assertThat(count(TYPED_CALL, "b.setType(\"Mine\");")).isEqualTo(1);
    assertThat(count(TYPED_CALL, "throw FailureType.KV_UNAVAILABLE.failure(m);")).isZero();
  }

  private static int count(Pattern p, String src) {
    Matcher m = p.matcher(src);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  /** The reactor root: the nearest directory up from the module that lists modules in its pom. */
  private static Path projectRoot() throws IOException {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path pom = p.resolve("pom.xml");
      if (Files.exists(pom) && Files.readString(pom).contains("<module>workflows</module>")) {
        return p;
      }
    }
    throw new IllegalStateException("no reactor root above " + Path.of("").toAbsolutePath());
  }
}
