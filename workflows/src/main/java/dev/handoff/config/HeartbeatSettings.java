package dev.handoff.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * pt-heartbeat for one cluster: the table it writes on the primary, how often, and the directory
 * where each replica host's {@code --update} process keeps its pid file and log.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HeartbeatSettings(String database, String table, Double intervalSeconds, String runDir) {
  public HeartbeatSettings {
    database = database == null ? "percona" : database;
    table = table == null ? "heartbeat" : table;
    intervalSeconds = intervalSeconds == null ? 0.5 : intervalSeconds;
  }

  void validate(String field, List<String> errors) {
    if (!database.matches("\\w+")) {
      errors.add(field + ".database: expected a plain schema name, got " + database);
    }
    if (!table.matches("\\w+")) {
      errors.add(field + ".table: expected a plain table name, got " + table);
    }
    if (intervalSeconds <= 0 || intervalSeconds > 60) {
      errors.add(field + ".intervalSeconds: expected 0 < seconds <= 60, got " + intervalSeconds);
    }
    if (runDir == null) {
      errors.add(field + ".runDir: required (where the pt-heartbeat processes keep pid files and logs)");
    }
  }
}
