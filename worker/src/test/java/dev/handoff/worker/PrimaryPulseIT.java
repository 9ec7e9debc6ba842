package dev.handoff.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.config.ClusterSettings;
import dev.handoff.config.HandoffConfig;
import dev.handoff.detection.ClusterProber;
import dev.handoff.detection.WatchSettings;
import dev.handoff.detection.WorkerDetector;
import dev.handoff.domain.AnalysisCode;
import dev.handoff.kv.TopologyStore;
import dev.handoff.kv.TopologyStores;
import dev.handoff.lab.LabClients;
import dev.handoff.lab.LabExtension;
import dev.handoff.mysql.SnapshotReader;
import dev.handoff.recovery.DetectionReport;
import dev.handoff.support.Lookup;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A worker's detector pings the primary between its probes, so a primary killed between two probes is
 * probed (and its death reported, confirmed) at once, not at the next interval: here the interval is two
 * minutes, far longer than the test waits, so only the ping can start the probe that sees the death.
 */
class PrimaryPulseIT {
  @RegisterExtension
  static final LabExtension LAB = LabExtension.clusters(1).replicas(2);
  static final String CLUSTER = "c1";
  static final long INTERVAL_MILLIS = 120_000;

  @Test
  void aPrimaryKilledBetweenProbesIsReportedDeadWithoutWaitingForTheInterval() throws Exception {
    HandoffConfig config = LAB.info().config();
    ClusterSettings cluster = config.clusters().stream().filter(c -> c.name().equals(CLUSTER)).findFirst()
        .orElseThrow();
    ExecutorService pool = ClusterProber.probePool();
    BlockingQueue<DetectionReport> reports = new LinkedBlockingQueue<>();
    try (TopologyStore store = TopologyStores.open(config.kv())) {
      ClusterProber prober = new ClusterProber(new SnapshotReader(new Lookup(config)), store, pool);
      WatchSettings settings = new WatchSettings(INTERVAL_MILLIS, 2.5, 2, 60_000);
      try (WorkerDetector detector = new WorkerDetector("pulse-test", prober, settings, (c, r) -> reports.add(r))) {
        detector.start(List.of(cluster));
        DetectionReport first = reports.poll(30, TimeUnit.SECONDS);
        assertThat(first).as("the first probe's report").isNotNull();
        assertThat(first.result().code()).as(first.result().detail()).isEqualTo(AnalysisCode.NO_PROBLEM);
        // Past the first probe: the next whole probe is two minutes away.
        Thread.sleep(500);

        String primary = new LabClients(config).instances(CLUSTER).get(0);
        LAB.info().mariadb(CLUSTER, primary).signal("KILL");

        DetectionReport dead = reports.poll(20, TimeUnit.SECONDS);
        assertThat(dead).as("a report within 20 s of the kill, with the next interval's probe 2 minutes away"
            + " (latest analysis: " + detector.latest(CLUSTER) + ")").isNotNull();
        assertThat(dead.result().code()).as(dead.result().detail()).isEqualTo(AnalysisCode.DEAD_PRIMARY);
        assertThat(dead.confirmations()).as("probes in a row that saw it dead").isGreaterThanOrEqualTo(2);
      } finally {
        prober.close();
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
