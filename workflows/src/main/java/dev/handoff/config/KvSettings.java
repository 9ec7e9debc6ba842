package dev.handoff.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** The topology KV store: etcd (lab, CI) or Consul (production). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record KvSettings(String type, List<String> endpoints, SecretRef token) {
  void validate(List<String> errors) {
    if (!"etcd".equals(type) && !"consul".equals(type)) {
      errors.add("kv.type: expected etcd or consul, got " + type);
    }
    if (endpoints == null || endpoints.isEmpty()) {
      errors.add("kv.endpoints: at least one endpoint URL (http://host:port) is required");
    } else {
      for (int i = 0; i < endpoints.size(); i++) {
        String e = endpoints.get(i);
        if (e == null || !e.matches("https?://[^/\\s]+:\\d+/?")) {
          errors.add("kv.endpoints[" + i + "]: expected http://host:port, got " + e);
        }
      }
    }
    if (token != null) {
      token.validate("kv.token", errors);
    }
  }
}
