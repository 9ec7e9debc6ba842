package dev.handoff.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The database users Handoff needs: an admin user for topology changes, the replication user the
 * replicas connect with, the pt-heartbeat user, and (optional) an application user for drills and tests.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Credentials(Credential admin, Credential replication, Credential heartbeat, Credential application) {
  void validate(List<String> errors) {
    require(admin, "credentials.admin", errors);
    require(replication, "credentials.replication", errors);
    require(heartbeat, "credentials.heartbeat", errors);
    if (application != null) {
      application.validate("credentials.application", errors);
    }
  }

  private static void require(Credential c, String field, List<String> errors) {
    if (c == null) {
      errors.add(field + ": required");
    } else {
      c.validate(field, errors);
    }
  }

  /** Every secret reference, so tests can check that none of their values leaks. */
  public List<SecretRef> all() {
    return java.util.stream.Stream.of(admin, replication, heartbeat, application)
        .filter(java.util.Objects::nonNull)
        .map(Credential::password)
        .toList();
  }
}
