package dev.handoff.lab;

import dev.handoff.config.HandoffConfig;
import dev.handoff.process.LocalProcess;
import java.nio.file.Path;

/** A running lab: its dir, the handoff.yml it wrote, and how long it took to start. */
public record LabInfo(Path dir, Path configFile, HandoffConfig config, double startSeconds) {

  /** The mariadbd process of an instance, for chaos tests (kill -9, SIGSTOP, SIGCONT). */
  public LocalProcess mariadb(String cluster, String instanceKey) {
    String name = "mariadb-" + cluster + "-" + instanceKey.substring(instanceKey.lastIndexOf(':') + 1);
    return Lab.processes(dir).stream().filter(p -> p.name().equals(name)).findFirst()
        .orElseThrow(() -> new LabException("no process " + name + " in the lab at " + dir));
  }
}
