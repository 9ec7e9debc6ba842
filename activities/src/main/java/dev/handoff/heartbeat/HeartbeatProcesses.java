package dev.handoff.heartbeat;

import dev.handoff.config.Credential;
import dev.handoff.config.HeartbeatSettings;
import dev.handoff.process.LocalProcess;
import dev.handoff.process.ProcessException;
import dev.handoff.support.Secrets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;

/**
 * The pt-heartbeat {@code --update} process of one replica host, pointed at the primary. Each process
 * is recorded in the cluster's heartbeat run dir with the primary it writes to, so a restart after a
 * failover (or a retry of one) can tell whether the right process already runs.
 */
public final class HeartbeatProcesses {
  private HeartbeatProcesses() {}

  /** The pt-heartbeat process for a replica, and the primary it updates. */
  public record Running(LocalProcess process, String primary) {}

  public static LocalProcess start(HeartbeatSettings hb, String replicaKey, String primaryKey, Credential cred) {
    Path runDir = Path.of(hb.runDir());
    String base = "pt-heartbeat-" + replicaKey.replace(':', '_');
    Path defaults = writeDefaultsFile(runDir, cred);
    int colon = primaryKey.lastIndexOf(':');
    String ptHeartbeat = Files.isExecutable(Path.of("/usr/bin/pt-heartbeat")) ? "/usr/bin/pt-heartbeat" : "pt-heartbeat";
    LocalProcess p = LocalProcess.spawn(base, List.of(ptHeartbeat, "--defaults-file=" + defaults,
        "--host", primaryKey.substring(0, colon), "--port", primaryKey.substring(colon + 1),
        "--database", hb.database(), "--table", hb.table(), "--update", "--utc",
        "--interval", Double.toString(hb.intervalSeconds())), runDir.resolve(base + ".log"), runDir);
    try {
      Files.writeString(runDir.resolve(base + ".target"), primaryKey);
    } catch (IOException e) {
      p.stop(2000);
      throw new ProcessException("cannot record the pt-heartbeat target in " + runDir + ": " + e.getMessage(), e);
    }
    p.save(runDir.resolve(base + LocalProcess.RECORD_SUFFIX));
    return p;
  }

  /** The live process for this replica, if one runs. */
  public static Optional<Running> running(HeartbeatSettings hb, String replicaKey) {
    Path runDir = Path.of(hb.runDir());
    String base = "pt-heartbeat-" + replicaKey.replace(':', '_');
    Path rec = runDir.resolve(base + LocalProcess.RECORD_SUFFIX);
    if (!Files.exists(rec)) {
      return Optional.empty();
    }
    LocalProcess p = LocalProcess.load(rec);
    if (!p.alive()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Running(p, Files.readString(runDir.resolve(base + ".target")).strip()));
    } catch (IOException e) {
      return Optional.of(new Running(p, ""));
    }
  }

  public static boolean stop(HeartbeatSettings hb, String replicaKey) {
    return running(hb, replicaKey).map(r -> r.process().stop(5000)).orElse(true);
  }

  /** The client options file pt-heartbeat reads; owner-only, so the password is not on a command line. */
  private static Path writeDefaultsFile(Path runDir, Credential cred) {
    Path f = runDir.resolve("heartbeat.cnf");
    try {
      Files.createDirectories(runDir);
      if (!Files.exists(f)) {
        Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      }
      Files.writeString(f, "[client]\nuser=" + cred.user() + "\npassword=" + Secrets.resolve(cred.password()) + "\n");
      return f;
    } catch (IOException e) {
      throw new ProcessException("cannot write pt-heartbeat defaults file " + f + ": " + e.getMessage(), e);
    }
  }
}
