package dev.handoff.lab;

import dev.handoff.process.LocalProcess;
import java.nio.file.Path;
import java.util.List;

/** The lab's etcd: one member on loopback ports, its data and log under one dir. */
final class EtcdLab {
  private EtcdLab() {}

  /** The client URL of the etcd listening on this loopback port. */
  static String url(int clientPort) {
    return "http://127.0.0.1:" + clientPort;
  }

  /** Starts the member without waiting for it: {@link #waitReady} does that. */
  static LocalProcess start(Path dir, int clientPort, int peerPort) {
    Lab.mkdirs(dir);
    String url = url(clientPort);
    String peerUrl = "http://127.0.0.1:" + peerPort;
    List<String> command = List.of(Binaries.ETCD.path().toString(),
        "--name", "handoff-lab", "--data-dir", dir.resolve("data").toString(),
        "--listen-client-urls", url, "--advertise-client-urls", url,
        "--listen-peer-urls", peerUrl, "--initial-advertise-peer-urls", peerUrl,
        "--initial-cluster", "handoff-lab=" + peerUrl, "--log-level", "warn", "--logger", "zap");
    // Saved, so Lab.startEtcd can bring the same member back with its data.
    Lab.writeCommand(dir, command);
    return LocalProcess.spawn("etcd", command, dir.resolve("etcd.log"), dir);
  }

  /** Returns once the member reports itself healthy; throws when it exits or the time is up. */
  static void waitReady(LocalProcess etcd, int clientPort, long millis) {
    String health = url(clientPort) + "/health";
    Lab.waitFor(etcd, () -> Lab.httpOk(health), millis, "etcd health at " + health);
  }
}
