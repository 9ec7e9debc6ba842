package dev.handoff.worker.alerts;

import java.util.List;
import java.util.Map;

/**
 * What one request asks for, after validation: the clusters to probe (each once, in the order they first
 * appear, with the reason to pass), how many firing alerts were accepted and how many resolved ones ignored.
 */
record AlertBatch(Map<String, String> reasonByCluster, int accepted, int ignoredResolved) {

  AlertBatch {
    reasonByCluster = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(reasonByCluster));
  }

  List<String> clusters() {
    return List.copyOf(reasonByCluster.keySet());
  }
}
