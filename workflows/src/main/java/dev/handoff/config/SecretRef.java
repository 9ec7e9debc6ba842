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

  @Override
  public String toString() {
    return env != null ? "env:" + env : "file:" + file;
  }
}
