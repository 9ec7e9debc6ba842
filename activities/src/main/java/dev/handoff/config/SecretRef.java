package dev.handoff.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A reference to a secret, never the secret itself: the worker resolves it from an environment
 * variable or a file when it needs it, so configs, logs and workflow histories never carry it.
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

  /** Reads the secret; the message of a failure names the reference, never a value. */
  public String resolve() {
    if (env != null) {
      String v = System.getenv(env);
      if (v == null) {
        throw new ConfigException("secret environment variable " + env + " is not set");
      }
      return v;
    }
    try {
      return Files.readString(Path.of(file)).strip();
    } catch (IOException e) {
      throw new ConfigException("cannot read secret file " + file + ": " + e.getClass().getSimpleName());
    }
  }

  @Override
  public String toString() {
    return env != null ? "env:" + env : "file:" + file;
  }
}
