package dev.handoff.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** One database instance of a cluster, and whether it may be promoted (prefer, neutral, must_not). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record InstanceSettings(String host, int port, String promotionRule) {
  public InstanceSettings {
    promotionRule = promotionRule == null ? "neutral" : promotionRule;
  }

  @JsonIgnore
  public String key() {
    return host + ":" + port;
  }

  void validate(String field, List<String> errors) {
    if (host == null || host.isBlank()) {
      errors.add(field + ".host: required");
    }
    if (!Ports.valid(port)) {
      errors.add(field + ".port: must be 1..65535, got " + port);
    }
    if (!List.of("prefer", "neutral", "must_not").contains(promotionRule)) {
      errors.add(field + ".promotionRule: expected prefer, neutral or must_not, got " + promotionRule);
    }
  }
}
