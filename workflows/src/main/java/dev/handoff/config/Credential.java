package dev.handoff.config;

import java.util.List;

/** A database user and a reference to its password. */
public record Credential(String user, SecretRef password) {
  void validate(String field, List<String> errors) {
    if (user == null || user.isBlank()) {
      errors.add(field + ".user: required");
    }
    if (password == null) {
      errors.add(field + ".password: required, as {env: VARIABLE} or {file: PATH}");
    } else {
      password.validate(field + ".password", errors);
    }
  }
}
