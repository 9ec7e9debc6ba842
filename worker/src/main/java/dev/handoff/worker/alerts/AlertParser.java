package dev.handoff.worker.alerts;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a request body into an {@link AlertBatch}, or refuses it as a whole: nothing of a request with one
 * bad alert is signalled. Accepts the Prometheus Alertmanager webhook (version "4") and the plain form
 * {@code {"cluster": "c1", "reason": "..."}}.
 */
final class AlertParser {
  static final String EXPECTED =
      "expected an Alertmanager payload (version, alerts[]) or {\"cluster\": ...}";
  static final int MAX_REASON_CHARS = 1000;
  private static final int MAX_ERRORS_REPORTED = 10;

  static final ObjectMapper JSON = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
      .build();

  /** A refusal: the HTTP status (400 or 404) and a message that names what is wrong. */
  static final class Rejected extends Exception {
    final int status;

    Rejected(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  private final Set<String> knownClusters;

  AlertParser(Set<String> knownClusters) {
    this.knownClusters = knownClusters;
  }

  AlertBatch parse(byte[] body) throws Rejected {
    JsonNode root = readJson(body);
    if (!root.isObject()) {
      throw new Rejected(400, EXPECTED + "; got a JSON " + kind(root));
    }
    if (root.has("alerts") || root.has("version")) {
      return alertmanager(root);
    }
    if (root.has("cluster")) {
      return plain(root);
    }
    throw new Rejected(400, EXPECTED);
  }

  private static JsonNode readJson(byte[] body) throws Rejected {
    if (body.length == 0) {
      throw new Rejected(400, "empty body: " + EXPECTED);
    }
    try {
      JsonNode root = JSON.readTree(body);
      if (root == null || root.isMissingNode()) {
        throw new Rejected(400, "empty body: " + EXPECTED);
      }
      return root;
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? ""
          : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
      throw new Rejected(400, "not JSON: " + clip(String.valueOf(e.getOriginalMessage()), 200) + where);
    } catch (IOException e) {
      throw new Rejected(400, "not JSON: " + e.getClass().getSimpleName());
    }
  }

  private AlertBatch plain(JsonNode root) throws Rejected {
    JsonNode cluster = root.get("cluster");
    if (!cluster.isTextual() || cluster.asText().isBlank()) {
      throw new Rejected(400, "'cluster' must be a non-empty string");
    }
    JsonNode reasonNode = root.get("reason");
    String reason;
    if (reasonNode == null || reasonNode.isNull()) {
      reason = "alert (no reason given)";
    } else if (reasonNode.isTextual()) {
      reason = reasonNode.asText().isBlank() ? "alert (no reason given)" : reasonNode.asText();
    } else {
      throw new Rejected(400, "'reason' must be a string");
    }
    String name = cluster.asText();
    requireKnown(new LinkedHashSet<>(List.of(name)));
    Map<String, String> reasons = new LinkedHashMap<>();
    reasons.put(name, clip(reason, MAX_REASON_CHARS));
    return new AlertBatch(reasons, 1, 0);
  }

  private AlertBatch alertmanager(JsonNode root) throws Rejected {
    List<String> errors = new ArrayList<>();
    JsonNode version = root.get("version");
    if (version == null || version.isNull()) {
      errors.add("version: missing (expected the Alertmanager webhook version \"4\")");
    } else if (!(version.isTextual() || version.isNumber()) || !"4".equals(version.asText())) {
      errors.add("version: unsupported webhook version '" + clip(version.asText(), 20)
          + "' (expected the Alertmanager webhook version \"4\")");
    }
    JsonNode alerts = root.get("alerts");
    if (alerts == null || !alerts.isArray()) {
      errors.add("alerts: " + (alerts == null ? "missing" : "must be an array, got " + kind(alerts)));
      throw new Rejected(400, String.join("; ", errors));
    }
    String defaultStatus = root.path("status").isTextual() ? root.get("status").asText() : null;

    Map<String, List<String>> reasons = new LinkedHashMap<>();
    int accepted = 0;
    int resolved = 0;
    for (int i = 0; i < alerts.size(); i++) {
      String at = "alerts[" + i + "]";
      JsonNode alert = alerts.get(i);
      if (!alert.isObject()) {
        errors.add(at + ": must be an object, got " + kind(alert));
        continue;
      }
      JsonNode statusNode = alert.get("status");
      String status = statusNode != null && statusNode.isTextual() ? statusNode.asText() : defaultStatus;
      if (status == null) {
        errors.add(at + ": no 'status' (firing or resolved)");
        continue;
      }
      if (status.equals("resolved")) {
        resolved++;
        continue;
      }
      if (!status.equals("firing")) {
        errors.add(at + ": status '" + clip(status, 40) + "' is neither firing nor resolved");
        continue;
      }
      JsonNode labels = alert.get("labels");
      if (labels == null || !labels.isObject()) {
        errors.add(at + ": no 'labels' object");
        continue;
      }
      String cluster = label(labels, "cluster");
      if (cluster == null) {
        cluster = label(labels, "mysql_cluster");
      }
      if (cluster == null) {
        errors.add(at + ": no 'cluster' label (nor 'mysql_cluster')");
        continue;
      }
      accepted++;
      reasons.computeIfAbsent(cluster, c -> new ArrayList<>()).add(reason(alert, labels));
    }
    if (!errors.isEmpty()) {
      List<String> shown = errors.size() > MAX_ERRORS_REPORTED ? errors.subList(0, MAX_ERRORS_REPORTED) : errors;
      String more = errors.size() > shown.size() ? "; and " + (errors.size() - shown.size()) + " more" : "";
      throw new Rejected(400, String.join("; ", shown) + more);
    }
    requireKnown(reasons.keySet());
    Map<String, String> reasonByCluster = new LinkedHashMap<>();
    reasons.forEach((cluster, list) -> {
      String first = list.get(0);
      String text = list.size() == 1 ? first
          : first + " and " + (list.size() - 1) + " more alert" + (list.size() == 2 ? "" : "s");
      reasonByCluster.put(cluster, clip(text, MAX_REASON_CHARS));
    });
    return new AlertBatch(reasonByCluster, accepted, resolved);
  }

  private static String reason(JsonNode alert, JsonNode labels) {
    String name = label(labels, "alertname");
    String id = text(alert, "fingerprint");
    if (id == null) {
      id = text(alert, "startsAt");
    }
    return "alertmanager: " + clip(name == null ? "(no alertname)" : name, 200)
        + (id == null ? "" : " (" + clip(id, 100) + ")");
  }

  private void requireKnown(Set<String> clusters) throws Rejected {
    List<String> unknown = clusters.stream().filter(c -> !knownClusters.contains(c)).toList();
    if (unknown.isEmpty()) {
      return;
    }
    List<String> known = knownClusters.stream().sorted().toList();
    if (unknown.size() == 1) {
      throw new Rejected(404, "unknown cluster '" + clip(unknown.get(0), 100) + "'; known: " + known);
    }
    List<String> shown = unknown.stream().limit(MAX_ERRORS_REPORTED).map(c -> "'" + clip(c, 100) + "'").toList();
    throw new Rejected(404, "unknown clusters " + shown + (unknown.size() > shown.size() ? " and more" : "")
        + "; known: " + known);
  }

  private static String label(JsonNode labels, String name) {
    return text(labels, name);
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v != null && v.isTextual() && !v.asText().isBlank() ? v.asText() : null;
  }

  private static String kind(JsonNode node) {
    return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
  }

  static String clip(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "...";
  }
}
