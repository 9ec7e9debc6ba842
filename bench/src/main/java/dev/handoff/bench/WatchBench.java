package dev.handoff.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.handoff.config.ConfigFiles;
import dev.handoff.config.DetectionMode;
import dev.handoff.config.HandoffConfig;
import dev.handoff.config.WorkerSettings;
import dev.handoff.lab.Lab;
import dev.handoff.lab.LabClients;
import dev.handoff.lab.LabInfo;
import dev.handoff.lab.LabSpec;
import dev.handoff.lab.Percentiles;
import dev.handoff.lab.Waits;
import dev.handoff.process.LocalProcess;
import dev.handoff.runbook.WorkflowIds;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What watching healthy clusters costs, for both designs in the same run: detection in every worker
 * ({@link DetectionMode#WORKERS}) and the first design's detector activity per cluster
 * ({@link DetectionMode#ACTIVITY}). For each cluster count, one worker and then two (separate processes,
 * {@code -Xmx256m -XX:TieredStopAtLevel=1}: without the second flag the JIT's C2 compiler alone kept
 * burning 0.05 core minutes after the start) watch every cluster of one lab for a window; printed per design:
 * each worker's CPU (cores, from /proc) and resident memory, the probes per second each worker runs (counted
 * on the primaries: every probe reads each instance's replica status once; the rate with no worker running,
 * pt-heartbeat's, is measured first and subtracted), and the billable Temporal actions per
 * cluster-hour (the dev server's own {@code action} counter, from its metrics port). Then, on the largest
 * lab with two workers, the time from a primary's {@code kill -9} to its recovery's start, alone and with
 * a worker killed at the same moment (under the first design the one running that cluster's detector).
 */
public final class WatchBench {
  private WatchBench() {}

  /** Larger labs run one replica per cluster instead of two, to fit 50 clusters on one machine. */
  static final int LIGHT_FROM_CLUSTERS = 11;
  private static final Duration READY = Duration.ofSeconds(90);
  private static final long CLOCK_TICKS_PER_SECOND = 100;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One design's cost with {@code workers} workers watching {@code clusters} healthy clusters. */
  public record Cost(DetectionMode design, int clusters, int workers, double coresPerWorker, double rssMibPerWorker,
      double probesPerSecondPerWorker, double actionsPerClusterHour) {}

  /** Kill-to-recovery-start times of one design, with or without a worker killed at the same moment. */
  public record Detection(DetectionMode design, boolean workerKilled, List<Double> millis) {}

  public record Result(List<Cost> costs, List<Detection> detections) {}

  /**
   * What to measure: the cluster counts (a fresh lab each), the window of each cost row, the kills per design
   * and case on the largest lab (each kill takes one of its clusters), and whether the cost rows run at all
   * (false: only the kills, on the largest lab). Refuses, naming the option, what cannot run.
   */
  public record Plan(List<Integer> clusterCounts, int windowSeconds, int trials, boolean withCosts) {
    public Plan {
      clusterCounts = List.copyOf(clusterCounts);
      for (int c : clusterCounts) {
        if (c < 1 || c > LabSpec.MAX_CLUSTERS) {
          throw new IllegalArgumentException("--clusters: each count must be 1.." + LabSpec.MAX_CLUSTERS + ", got "
              + c);
        }
      }
      if (windowSeconds < 10 || windowSeconds > 3600) {
        throw new IllegalArgumentException("--window must be 10..3600 seconds, got " + windowSeconds);
      }
      int largest = clusterCounts.isEmpty() ? 0 : Collections.max(clusterCounts);
      if (trials < 1 || trials * 4 > largest) {
        throw new IllegalArgumentException("--trials must be 1.." + largest / 4
            + " (each kill takes a cluster of the largest lab, four cases), got " + trials);
      }
    }
  }

  public static Result run(Plan plan, PrintStream out) throws Exception {
    List<Integer> clusterCounts = plan.clusterCounts();
    int windowSeconds = plan.windowSeconds();
    int trials = plan.trials();
    boolean withCosts = plan.withCosts();
    List<Cost> costs = new ArrayList<>();
    List<Detection> detections = new ArrayList<>();
    int largest = Collections.max(clusterCounts);
    for (int n : withCosts ? clusterCounts : List.of(largest)) {
      Path dir = Files.createTempDirectory(Path.of("/tmp"), "hw-");
      int replicas = n >= LIGHT_FROM_CLUSTERS ? 1 : 2;
      out.printf("lab: %d cluster(s) of %d instance(s) starting...%n", n, replicas + 1);
      LabInfo info = Lab.up(new LabSpec(dir, n, replicas, null), line -> { });
      try (Bench b = new Bench(info)) {
        b.measureBaseline(Math.min(20, windowSeconds));
        for (DetectionMode design : withCosts ? List.of(DetectionMode.ACTIVITY, DetectionMode.WORKERS)
            : List.<DetectionMode>of()) {
          for (int workers = 1; workers <= 2; workers++) {
            Cost c = b.cost(design, workers, windowSeconds);
            costs.add(c);
            out.printf("%-8s %2d cluster(s) %d worker(s): %.3f cores and %4.0f MiB per worker, %5.1f probes/s per"
                + " worker, %7.1f Temporal actions per cluster-hour%n", design.wireName(), n, workers,
                c.coresPerWorker(), c.rssMibPerWorker(), c.probesPerSecondPerWorker(), c.actionsPerClusterHour());
          }
        }
        if (n == largest) {
          int next = 0;
          for (DetectionMode design : List.of(DetectionMode.ACTIVITY, DetectionMode.WORKERS)) {
            for (boolean killWorker : List.of(false, true)) {
              List<Double> times = b.detections(design, killWorker, n, next, trials, out);
              next += trials;
              detections.add(new Detection(design, killWorker, times));
            }
          }
        }
      } finally {
        Lab.down(dir, false, line -> { });
      }
    }
    return new Result(costs, detections);
  }

  public static void print(Result r, Plan plan, PrintStream out) {
    out.println();
    out.printf("watch bench: healthy clusters watched for %d s per row; one replica per cluster from %d clusters,"
        + " two below%n", plan.windowSeconds(), LIGHT_FROM_CLUSTERS);
    out.printf("%-9s %8s %7s %14s %12s %16s %22s%n", "design", "clusters", "workers", "cores/worker",
        "MiB/worker", "probes/s/worker", "actions/cluster-hour");
    for (Cost c : r.costs()) {
      out.printf("%-9s %8d %7d %14.3f %12.0f %16.1f %22.1f%n", c.design().wireName(), c.clusters(), c.workers(),
          c.coresPerWorker(), c.rssMibPerWorker(), c.probesPerSecondPerWorker(), c.actionsPerClusterHour());
    }
    out.println("targets (workers): at most 10 actions per cluster-hour; 50 clusters under 0.25 core and 512 MiB per"
        + " worker");
    for (Detection d : r.detections()) {
      List<Double> v = d.millis();
      if (v.isEmpty()) {
        continue;
      }
      out.printf("detection %-8s %-28s p50 %6.0f ms  p99 %6.0f ms  max %6.0f ms  (%d kills; kill to recovery start)%n",
          d.design().wireName(), d.workerKilled() ? "a worker killed too:" : "primary killed:",
          Percentiles.of(v, 50), Percentiles.of(v, 99), Collections.max(v), v.size());
    }
    out.println("target (workers): detection p99 under 2 s with one of two workers dead");
  }

  /** One lab's measurements; closes the workers it started and its Temporal connection. */
  private static final class Bench implements AutoCloseable {
    private final LabInfo info;
    private final HandoffConfig config;
    private final LabClients lab;
    private final WorkflowServiceStubs service;
    private final WorkflowClient client;
    private final List<LocalProcess> workers = new ArrayList<>();
    /** Clusters whose primary a detection trial killed: recovered onto their last instance, no longer healthy. */
    private final java.util.Set<String> killed = new java.util.HashSet<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private final String metricsUrl;
    /** Replica-status reads per second on the primaries with no worker running (pt-heartbeat's own). */
    private double baselinePerSecond;

    Bench(LabInfo info) throws IOException {
      this.info = info;
      this.config = info.config();
      this.lab = new LabClients(config);
      this.service = WorkflowServiceStubs.newServiceStubs(
          WorkflowServiceStubsOptions.newBuilder().setTarget(config.temporal().target()).build());
      this.client = WorkflowClient.newInstance(service,
          WorkflowClientOptions.newBuilder().setNamespace(config.temporal().namespace()).build());
      this.metricsUrl = "http://127.0.0.1:" + metricsPort(info.dir()) + "/metrics";
    }

    /** Counts the primaries' replica-status reads with no worker running, to subtract from every row. */
    void measureBaseline(int seconds) throws Exception {
      long before = primaryProbes();
      long t0 = System.nanoTime();
      Thread.sleep(seconds * 1000L);
      baselinePerSecond = (primaryProbes() - before) / ((System.nanoTime() - t0) / 1e9);
    }

    Cost cost(DetectionMode design, int count, int windowSeconds) throws Exception {
      startWorkers(design, count);
      long actions0 = actions();
      long[] cpu0 = cpuTicks();
      long probes0 = primaryProbes();
      long t0 = System.nanoTime();
      Thread.sleep(windowSeconds * 1000L);
      double seconds = (System.nanoTime() - t0) / 1e9;
      long actions1 = actions();
      long[] cpu1 = cpuTicks();
      long probes1 = primaryProbes();
      double rss = 0;
      for (LocalProcess w : workers) {
        rss += rssMib(w.pid());
      }
      double ticks = 0;
      for (int i = 0; i < cpu0.length; i++) {
        ticks += cpu1[i] - cpu0[i];
      }
      int clusters = config.clusters().size();
      double probes = Math.max(0, probes1 - probes0 - baselinePerSecond * seconds);
      Cost c = new Cost(design, clusters, count, ticks / CLOCK_TICKS_PER_SECOND / seconds / count, rss / count,
          probes / seconds / count, (actions1 - actions0) * 3600.0 / seconds / clusters);
      stopWorkers();
      return c;
    }

    List<Double> detections(DetectionMode design, boolean killWorker, int clusters, int first, int trials,
        PrintStream out) throws Exception {
      List<Double> times = new ArrayList<>();
      startWorkers(design, 2);
      for (int t = 0; t < trials && first + t < clusters; t++) {
        String cluster = config.clusters().get(first + t).name();
        String primary = lab.instances(cluster).get(0);
        int victim = killWorker ? detectorOf(design, cluster) : -1;
        killed.add(cluster);
        long killedAt = System.currentTimeMillis();
        info.mariadb(cluster, primary).signal("KILL");
        if (victim >= 0) {
          workers.get(victim).signal("KILL");
        }
        double millis = recoveryStartedAt(cluster, Duration.ofSeconds(60)) - killedAt;
        times.add(millis);
        out.printf("detection %-8s %s %-4s %6.0f ms%s%n", design.wireName(), killWorker ? "kill+worker" : "kill",
            cluster, millis, victim >= 0 ? " (worker " + (victim + 1) + " killed)" : "");
        Waits.result(client, config, cluster, WorkflowIds.failover(cluster), Duration.ofSeconds(120));
        if (victim >= 0) {
          workers.set(victim, startWorker(design, victim));
        }
      }
      stopWorkers();
      return times;
    }

    /** The worker whose loss matters: the one running the cluster's detector activity, or the first one. */
    private int detectorOf(DetectionMode design, String cluster) {
      if (design != DetectionMode.ACTIVITY) {
        return 0;
      }
      var d = service.blockingStub().describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
          .setNamespace(config.temporal().namespace())
          .setExecution(io.temporal.api.common.v1.WorkflowExecution.newBuilder()
              .setWorkflowId(WorkflowIds.watch(cluster)))
          .build());
      for (var a : d.getPendingActivitiesList()) {
        String identity = a.getLastWorkerIdentity();
        for (int i = 0; i < workers.size(); i++) {
          if (identity.startsWith(workers.get(i).pid() + "@")) {
            return i;
          }
        }
      }
      return 0;
    }

    private long recoveryStartedAt(String cluster, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        try {
          var d = client.newUntypedWorkflowStub(WorkflowIds.failover(cluster)).describe();
          return d.getExecutionTime().toEpochMilli();
        } catch (RuntimeException notYet) {
          Thread.sleep(20);
        }
      }
      throw new IllegalStateException("no recovery of " + cluster + " started within " + timeout.toSeconds()
          + " s of its primary's kill");
    }

    /** Starts {@code count} workers of {@code design} over fresh watches, and waits for them to see health. */
    private void startWorkers(DetectionMode design, int count) throws Exception {
      for (var c : config.clusters()) {
        try {
          client.newUntypedWorkflowStub(WorkflowIds.watch(c.name())).terminate("watch bench: next design");
        } catch (RuntimeException notRunning) {
          // first row
        }
      }
      for (int i = 0; i < count; i++) {
        workers.add(startWorker(design, i));
      }
      for (var c : config.clusters()) {
        if (!killed.contains(c.name())) {
          Waits.analysis(client, config, c.name(), "NoProblem", READY);
        }
      }
      Thread.sleep(15_000); // the first reports and activity starts settle, and the JIT has compiled the probe
    }

    private LocalProcess startWorker(DetectionMode design, int index) throws IOException {
      Path file = info.dir().resolve("bench-" + design.wireName() + "-" + index + ".yml");
      WorkerSettings w = config.worker();
      ConfigFiles.write(new HandoffConfig(config.temporal(), config.kv(), config.credentials(), config.haproxy(),
          config.clusters(), new WorkerSettings(null, null, null, true, w.cooldownSeconds(), design.wireName())), file);
      Path log = info.dir().resolve("bench-worker-" + design.wireName() + "-" + index + ".log");
      LocalProcess p = LocalProcess.spawn("bench-worker", List.of(Path.of(System.getProperty("java.home"), "bin",
          "java").toString(), "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
          "dev.handoff.worker.WorkerMain", file.toString()), log, info.dir());
      long deadline = System.nanoTime() + READY.toNanos();
      while (!Files.readString(log).contains("worker ready")) {
        if (System.nanoTime() > deadline || !p.alive()) {
          p.stop(1000);
          throw new IllegalStateException("bench worker did not start: " + p.logTail(20));
        }
        LocalProcess.sleep(100);
      }
      return p;
    }

    private void stopWorkers() {
      for (LocalProcess w : workers) {
        w.stop(10_000);
      }
      workers.clear();
    }

    private long[] cpuTicks() throws IOException {
      long[] out = new long[workers.size()];
      for (int i = 0; i < out.length; i++) {
        String stat = Files.readString(Path.of("/proc", Long.toString(workers.get(i).pid()), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        out[i] = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
      }
      return out;
    }

    private static double rssMib(long pid) throws IOException {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
      return Double.NaN;
    }

    /**
     * Probes of the clusters' primaries so far: every probe reads each instance's replica status, the
     * primary's too (its statement counter under either name). pt-heartbeat reads it as well: the rate seen
     * with no worker running is subtracted.
     */
    private long primaryProbes() throws SQLException {
      long sum = 0;
      for (var c : config.clusters()) {
        try (Connection conn = lab.admin(lab.instances(c.name()).get(0)); Statement st = conn.createStatement();
            ResultSet rs = st.executeQuery("SHOW GLOBAL STATUS WHERE Variable_name IN"
                + " ('Com_show_slave_status', 'Com_show_replica_status')")) {
          long most = 0;
          while (rs.next()) {
            most = Math.max(most, rs.getLong(2));
          }
          sum += most;
        }
      }
      return sum;
    }

    /** The Temporal dev server's count of billable actions so far. */
    private long actions() throws IOException, InterruptedException {
      String body = http.send(HttpRequest.newBuilder(URI.create(metricsUrl)).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      double sum = 0;
      for (String line : body.split("\n")) {
        // A workflow task's markers count once each and once more as a batch: the batch is left out.
        if ((line.startsWith("action{") || line.startsWith("action ")) && !line.contains("command_BatchMarkers")) {
          sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
      return Math.round(sum);
    }

    private static int metricsPort(Path labDir) throws IOException {
      List<?> command = JSON.readValue(labDir.resolve("temporal").resolve("command.json").toFile(), List.class);
      int i = command.indexOf("--metrics-port");
      return Integer.parseInt(command.get(i + 1).toString());
    }

    @Override
    public void close() {
      stopWorkers();
      service.shutdownNow();
    }
  }
}
