package dev.handoff.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.nio.file.Path;
import java.util.List;

/**
 * A reference to a secret, never the secret itself: the worker resolves it from an environment
 * variable or a file when it needs it ({@code dev.handoff.support.Secrets}, in the activities), so configs,
 * logs and workflow histories never carry it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SecretRef(String env, String file) {

  public static SecretRef ofFile(Path path) {
    return new SecretRef(null, path.toString());
  }

  void validate(String field, List<String> errors) {
    if ((env == null) == (file == null)) {
      errors.add(field + ": give exactly one of {env: VARIABLE} or {file: PATH}");
    }
  }

  /**
   * Reads the secret through the resolver on the classpath: the activities' {@code dev.handoff.support.Secrets},
   * which the worker has and the CLI and the ops UI do not need. This module reads no secret itself.
   *
   * @deprecated call {@code dev.handoff.support.Secrets.resolve(ref)}; kept until every caller does
   */
  @Deprecated
  public String resolve() {
    return java.util.ServiceLoader.load(Resolver.class).findFirst()
        .orElseThrow(() -> new ConfigException("cannot read secret " + this + ": no secret resolver on the classpath"
            + " (secrets are read by the worker's activities)"))
        .resolve(this);
  }

  /** Reads the value a reference points to; the worker's implementation lives in the activities. */
  public interface Resolver {
    String resolve(SecretRef ref);
  }

  @Override
  public String toString() {
    return env != null ? "env:" + env : "file:" + file;
  }
}
