package dev.handoff.lab;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

/** What to start: how many clusters (named c1..cN), how many replicas each, where, and from which port. */
public record LabSpec(Path dir, int clusters, int replicas, Integer basePort) {
  /** Fifty clusters fit one machine with one replica each (the watch bench's largest lab). */
  public static final int MAX_CLUSTERS = 50;
  public static final int MAX_REPLICAS = 6;

  public LabSpec {
    if (dir == null) {
      dir = LabDefaults.labDir();
    }
    dir = dir.toAbsolutePath().normalize();
    if (clusters < 1 || clusters > MAX_CLUSTERS) {
      throw new LabException("--clusters must be 1.." + MAX_CLUSTERS + ", got " + clusters);
    }
    if (replicas < 1 || replicas > MAX_REPLICAS) {
      throw new LabException("--replicas must be 1.." + MAX_REPLICAS + ", got " + replicas);
    }
    // A Unix socket path is limited to 107 bytes; the deepest lab socket adds about 40.
    if (dir.toString().length() > 60) {
      throw new LabException("lab dir " + dir + " is too long (" + dir.toString().length()
          + " chars): Unix socket paths under it would pass the 107-byte limit; choose a dir of at most 60 chars");
    }
  }

  public static LabSpec defaults() {
    return new LabSpec(null, 1, 2, null);
  }

  public List<String> clusterNames() {
    return IntStream.rangeClosed(1, clusters).mapToObj(i -> "c" + i).toList();
  }

  int portCount() {
    // per cluster: instances, 2 remote HAProxies x (writer, reader), local (writer, reader);
    // then etcd client + peer, Temporal frontend, UI, HTTP, metrics, the worker's alert endpoint
    return clusters * (1 + replicas + 6) + 2 + 5;
  }
}
