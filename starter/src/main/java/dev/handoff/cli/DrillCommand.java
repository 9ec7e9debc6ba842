package dev.handoff.cli;

import dev.handoff.client.Runbooks;
import dev.handoff.client.TemporalConnection;
import dev.handoff.config.ConfigFiles;
import dev.handoff.config.HandoffConfig;
import dev.handoff.lab.Lab;
import dev.handoff.lab.LabClients;
import dev.handoff.lab.LabSpec;
import dev.handoff.lab.WriteLoad;
import dev.handoff.process.LocalProcess;
import dev.handoff.status.ClusterStatus;
import dev.handoff.status.StatusReport;
import dev.handoff.switchover.SwitchoverRequest;
import dev.handoff.worker.HandoffWorker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code handoff lab drill}: the whole product on the lab. Starts the lab (or reuses a running one) and a
 * worker, writes through the local HAProxy, switches the primary over, and proves no acknowledged
 * write was lost.
 */
@Command(name = "drill", mixinStandardHelpOptions = true,
    description = "Lab up, worker up, a planned switchover under write load, then the lab's status.")
final class DrillCommand extends LabDirCommand {
  @Option(names = "--cluster", defaultValue = "c1", description = "Cluster to switch over (default ${DEFAULT-VALUE}).")
  String cluster;

  @Override
  public Integer call() throws Exception {
    Path labDir = labDir().toAbsolutePath().normalize();
    HandoffConfig config = runningLab(labDir);
    if (config == null) {
      config = Lab.up(new LabSpec(labDir, 1, 2, null), line -> System.out.println("[lab] " + line)).config();
    } else {
      System.out.println("[lab] reusing the lab running in " + labDir);
    }
    LabClients lab = new LabClients(config);
    lab.cluster(cluster);
    int exit;
    try (HandoffWorker worker = HandoffWorker.start(config);
         TemporalConnection t = new TemporalConnection(config);
         WriteLoad load = WriteLoad.start(lab.localWriter(cluster), config.credentials().application(), 3,
             System.currentTimeMillis() * 1000)) {
      System.out.println("[drill] worker up; writing through the local HAProxy " + lab.localWriter(cluster)
          + " every 3 ms");
      if (!load.awaitAcks(100, 15_000)) {
        throw new CliException("the write load got no acknowledgements through " + lab.localWriter(cluster)
            + "; check ./handoff lab status");
      }
      long switchStart = System.nanoTime();
      String id = Runbooks.startSwitchover(t.client(), config, new SwitchoverRequest(cluster, null, false));
      System.out.println("[drill] switchover of " + cluster + " started: workflow " + id);
      exit = RunbookOutput.follow(t.client(), id, "switchover", System.out);
      boolean flowing = load.awaitAcks(100, 15_000);
      load.close();
      String primary = StatusReport.read(config).clusters().stream().filter(c -> c.name().equals(cluster))
          .findFirst().orElseThrow().kvPrimary();
      List<Long> acked = load.acknowledged();
      Set<Long> lost;
      try (Connection c = lab.admin(primary)) {
        lost = WriteLoad.missing(c, acked);
      }
      System.out.printf("[drill] writes: %d acknowledged, %d lost, %d failed attempts; longest gap between"
              + " acknowledged writes during the switchover: %.0f ms; writes flowing after: %s%n",
          acked.size(), lost.size(), load.failures(), load.longestGapMillis(switchStart), flowing ? "yes" : "NO");
      if (!lost.isEmpty() || !flowing) {
        exit = Math.max(exit, 1);
      }
    }
    awaitSettled(config);
    StatusReport report = StatusReport.read(config);
    StatusPrinter.print(report, System.out);
    boolean healthy = report.clusters().stream().allMatch(ClusterStatus::healthy);
    System.out.println(healthy && exit == 0 ? "[drill] PASSED" : "[drill] FAILED");
    System.out.println("[drill] the lab keeps running: ./handoff lab status, ./handoff lab down");
    return healthy ? exit : 3;
  }

  /** The config of a lab already running in the dir, or null. */
  private static HandoffConfig runningLab(Path dir) {
    Path cfg = dir.resolve(Lab.CONFIG);
    if (!Files.exists(cfg)) {
      return null;
    }
    List<LocalProcess> procs = Lab.processes(dir);
    if (procs.isEmpty() || !procs.stream().allMatch(LocalProcess::alive)) {
      return null;
    }
    return ConfigFiles.load(cfg);
  }

  /** Replication restarts take a moment to show as running; wait up to 10 s for a clean report. */
  private static void awaitSettled(HandoffConfig config) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline
        && !StatusReport.read(config).clusters().stream().allMatch(ClusterStatus::healthy)) {
      Thread.sleep(200);
    }
  }
}
