package dev.handoff.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every failure type raised anywhere in Handoff's main sources is a {@link FailureType} constant, so the
 * CLI and ops-ui know (and explain) each one: a string literal or a file-local string constant as a type
 * fails the build.
 */
class FailureTypeSourceScanTest {
  /** Calls whose argument at the index is a failure type. */
  private static final List<TypeArg> CALLS = List.of(
      new TypeArg(Pattern.compile("ApplicationFailure\\s*\\.\\s*new(NonRetryable)?Failure(WithCause)?\\s*\\("), 1),
      new TypeArg(Pattern.compile("\\.\\s*setType\\s*\\("), 0),
      new TypeArg(Pattern.compile("CheckResult\\s*\\.\\s*fail\\s*\\("), 1),
      new TypeArg(Pattern.compile("(?<![\\w.])end\\s*\\("), 1),
      new TypeArg(Pattern.compile("new\\s+Stopped\\s*\\("), 1));

  private record TypeArg(Pattern call, int index) {}

  @Test
  void everyConstantIsListedAndExplained() throws IllegalAccessException {
    Set<String> constants = new HashSet<>();
    for (Field f : FailureType.class.getDeclaredFields()) {
      int m = f.getModifiers();
      if (Modifier.isPublic(m) && Modifier.isStatic(m) && f.getType() == String.class) {
        constants.add((String) f.get(null));
      }
    }
    assertThat(FailureType.ALL).containsExactlyInAnyOrderElementsOf(constants);
    for (String t : FailureType.ALL) {
      assertThat(FailureType.meaning(t)).as(t).isNotBlank();
    }
    assertThat(FailureType.ALL).contains("InstanceUnreachable", "ReplicationNotRunning", "KvUnavailable",
        "HeartbeatNotStarted", "HeartbeatNotStopped", "Interrupted", "Timeout", "RepairNotApplied", "NoRepair",
        "TopologyMissing");
  }

  @Test
  void everyTypeRaisedInTheSourceTreeIsAFailureTypeConstant() throws IOException {
    Path root = projectRoot();
    List<String> problems = new ArrayList<>();
    int calls = 0;
    try (Stream<Path> modules = Files.list(root)) {
      for (Path module : modules.filter(m -> Files.isDirectory(m.resolve("src/main/java"))).toList()) {
        try (Stream<Path> files = Files.walk(module.resolve("src/main/java"))) {
          for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
            String src = Files.readString(f);
            List<String> found = check(src);
            calls += (int) found.stream().filter(s -> s.isEmpty()).count();
            found.stream().filter(s -> !s.isEmpty()).forEach(s -> problems.add(root.relativize(f) + ": " + s));
          }
        }
      }
    }
    assertThat(calls).as("failure-raising calls found (is the scan still looking in the right place?)")
        .isGreaterThan(30);
    assertThat(problems).as("failure types that are not FailureType constants").isEmpty();
  }

  @Test
  void theScanFindsAStringTypeAndALocalConstant() {
    assertThat(check("throw ApplicationFailure.newFailure(\"x \" + f(a, b), \"BrandNew\");"))
        .anyMatch(s -> s.contains("\"BrandNew\""));
    assertThat(check("static final String X = \"Local\";\n throw ApplicationFailure.newNonRetryableFailure(m, X);"))
        .anyMatch(s -> s.contains("X"));
    assertThat(check("throw ApplicationFailure.newFailure(m, FailureType.NO_SUCH_CONSTANT);"))
        .anyMatch(s -> s.contains("NO_SUCH_CONSTANT"));
    assertThat(check("throw ApplicationFailure.newFailure(m(\"a,b\"), FailureType.KV_UNAVAILABLE);"))
        .containsExactly("");
    assertThat(check("throw end(RunbookProgress.REFUSED, RunbookSteps.failureType(e), msg);")).containsExactly("");
  }

  /** One entry per call: "" when its type is fine, else what is wrong. */
  static List<String> check(String src) {
    List<String> out = new ArrayList<>();
    for (TypeArg c : CALLS) {
      Matcher m = c.call().matcher(src);
      while (m.find()) {
        if (isDeclaration(src, m.start())) {
          continue;
        }
        List<String> args = arguments(src, m.end());
        if (args.size() <= c.index()) {
          continue; // another method of that name
        }
        out.add(judge(src, args.get(c.index()).strip()));
      }
    }
    return out;
  }

  /** A method declaration ("... end(String finalState, ...) {"), not a call. */
  private static boolean isDeclaration(String src, int start) {
    int lineStart = src.lastIndexOf('\n', start) + 1;
    String before = src.substring(lineStart, start).strip();
    return before.matches(".*\\b(protected|private|public|static|void|ApplicationFailure|CheckResult)\\s*\\w*");
  }

  private static String judge(String src, String arg) {
    if (arg.startsWith("\"")) {
      return "the string literal " + arg + " as a failure type: add a FailureType constant and use it";
    }
    Matcher constant = Pattern.compile("^FailureType\\s*\\.\\s*(\\w+)$").matcher(arg);
    if (constant.matches()) {
      try {
        Object v = FailureType.class.getField(constant.group(1)).get(null);
        return FailureType.isKnown((String) v) ? "" : arg + " is not in FailureType.ALL";
      } catch (ReflectiveOperationException | ClassCastException e) {
        return arg + " is not a FailureType constant";
      }
    }
    if (arg.matches("[A-Z][A-Z0-9_]*") && Pattern.compile("String\\s+" + arg + "\\s*=").matcher(src).find()) {
      return "the local constant " + arg + " as a failure type: use the FailureType constant itself";
    }
    return ""; // a type carried on from an earlier failure (a variable, a record's field)
  }

  /** The top-level arguments of the call whose '(' ends just before {@code from}. */
  private static List<String> arguments(String src, int from) {
    List<String> args = new ArrayList<>();
    int depth = 0;
    StringBuilder cur = new StringBuilder();
    for (int i = from; i < src.length(); i++) {
      char ch = src.charAt(i);
      if (ch == '"' || ch == '\'') {
        int j = i + 1;
        while (j < src.length() && src.charAt(j) != ch) {
          j += src.charAt(j) == '\\' ? 2 : 1;
        }
        cur.append(src, i, Math.min(j + 1, src.length()));
        i = j;
        continue;
      }
      if (ch == '(' || ch == '[' || ch == '{') {
        depth++;
      } else if (ch == ')' || ch == ']' || ch == '}') {
        if (depth == 0) {
          if (!cur.toString().isBlank()) {
            args.add(cur.toString());
          }
          return args;
        }
        depth--;
      } else if (ch == ',' && depth == 0) {
        args.add(cur.toString());
        cur.setLength(0);
        continue;
      }
      cur.append(ch);
    }
    return args;
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
