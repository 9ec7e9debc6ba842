package dev.handoff.detection;

import dev.handoff.config.ClusterSettings;
import dev.handoff.domain.AnalysisCode;
import dev.handoff.domain.InstanceKey;
import dev.handoff.planning.DetectionResult;
import dev.handoff.planning.ProbePacing;
import dev.handoff.planning.ReportPolicy;
import dev.handoff.recovery.DetectionReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Detection inside a worker: one loop per configured cluster probes it on its own schedule
 * ({@link ProbePacing}) and tells the cluster's watch only what {@link ReportPolicy} says to, so a healthy
 * fleet costs Temporal nothing. Every worker runs one; they are independent, so the death of any worker
 * leaves the others detecting, and the watch (one workflow per cluster) starts a recovery once. Stateless
 * but for what each loop last sent: a restarted worker reports each cluster's analysis once and goes quiet.
 */
public final class WorkerDetector implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WorkerDetector.class);
  /** How long {@link #close} waits for the loops to end. */
  private static final long CLOSE_WAIT_MILLIS = 3000;

  /** Where the reports go: the cluster's watch workflow in production. */
  public interface ReportSink {
    void report(String cluster, DetectionReport report);
  }

  private final String worker;
  private final ClusterProber prober;
  private final WatchSettings settings;
  private final ReportSink sink;
  private final Map<String, Loop> loops = new ConcurrentHashMap<>();
  private final Map<String, Seen> latest = new ConcurrentHashMap<>();

  /** A probe's analysis and when the probe ended. */
  private record Seen(DetectionResult result, long atMillis) {}
  private volatile boolean closed;

  /** {@code worker}: this worker's identity, named in every report. */
  public WorkerDetector(String worker, ClusterProber prober, WatchSettings settings, ReportSink sink) {
    this.worker = worker;
    this.prober = prober;
    this.settings = settings;
    this.sink = sink;
  }

  /** Starts a loop per cluster. */
  public void start(List<ClusterSettings> clusters) {
    for (ClusterSettings c : clusters) {
      Loop loop = new Loop(c);
      loops.put(c.name(), loop);
      loop.thread.start();
    }
  }

  /** Probes the cluster at once (an alert asked); false when this worker does not watch it. */
  public boolean probeNow(String cluster) {
    Loop loop = loops.get(cluster);
    if (loop == null) {
      return false;
    }
    loop.wake();
    return true;
  }

  /** What this worker's latest probe of the cluster concluded, and how long ago; no code when it has none. */
  public LocalProbeActivities.Latest latest(String cluster) {
    Seen s = latest.get(cluster);
    if (s == null) {
      return new LocalProbeActivities.Latest(null, loops.containsKey(cluster) ? "not probed yet"
          : "this worker does not watch " + cluster, 0);
    }
    return new LocalProbeActivities.Latest(s.result().code(), s.result().detail(),
        System.currentTimeMillis() - s.atMillis());
  }

  @Override
  public void close() {
    closed = true;
    List<Thread> threads = new ArrayList<>();
    for (Loop l : loops.values()) {
      l.thread.interrupt();
      threads.add(l.thread);
    }
    long until = System.currentTimeMillis() + CLOSE_WAIT_MILLIS;
    for (Thread t : threads) {
      try {
        t.join(Math.max(1, until - System.currentTimeMillis()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** One cluster's loop: probe, maybe report, pause (cut short by {@link #wake}). */
  private final class Loop implements Runnable {
    private final ClusterSettings cluster;
    private final Thread thread;
    private final ReportPolicy policy;
    private boolean woken;

    Loop(ClusterSettings cluster) {
      this.cluster = cluster;
      this.policy = new ReportPolicy(settings.confirmations(), ReportPolicy.CHANGE_GAP_MILLIS);
      this.thread = new Thread(this, "detector-" + cluster.name());
      this.thread.setDaemon(true);
    }

    synchronized void wake() {
      woken = true;
      notifyAll();
    }

    /**
     * Pauses {@code millis} before the next probe, cut short by {@link #wake}; with a {@code primary} that
     * answered the last probe, pings it every {@link ProbePacing#PULSE_MILLIS} meanwhile and ends the pause
     * as soon as a ping fails, so a primary that dies is probed within a pulse, not an interval.
     */
    private void pause(long millis, InstanceKey primary) throws InterruptedException {
      long until = System.currentTimeMillis() + millis;
      while (true) {
        long left = until - System.currentTimeMillis();
        if (left <= 0 || awaitWake(Math.min(left, ProbePacing.PULSE_MILLIS))) {
          return;
        }
        if (primary != null && until - System.currentTimeMillis() > 0 && !prober.pulse(primary)) {
          return;
        }
      }
    }

    /** Waits at most {@code millis} for {@link #wake} (or the close); true, and the wake taken, when it came. */
    private synchronized boolean awaitWake(long millis) throws InterruptedException {
      long until = System.currentTimeMillis() + millis;
      while (!woken && !closed) {
        long left = until - System.currentTimeMillis();
        if (left <= 0) {
          return false;
        }
        wait(left);
      }
      woken = false;
      return true;
    }

    @Override
    public void run() {
      long pause = settings.probeIntervalMillis();
      while (!closed) {
        try {
          ClusterProber.Probe p = prober.probe(cluster, settings);
          latest.put(cluster.name(), new Seen(p.result(), System.currentTimeMillis()));
          report(p.result());
          pause = ProbePacing.nextPauseMillis(p.input(), p.result().code(), policy.confirming(), pause,
              settings.probeIntervalMillis(), settings.maxSecondsSinceLastEvent());
          pause(pause, ProbePacing.answered(p.input(), p.result().code()) ? p.input().primary() : null);
        } catch (InterruptedException e) {
          return;
        } catch (RuntimeException e) {
          // A probe never throws by design (what fails is its analysis); a bug must not end detection.
          log.error("cluster={} detector probe failed: {}", cluster.name(), e.toString(), e);
          try {
            pause(settings.probeIntervalMillis(), null);
          } catch (InterruptedException stop) {
            return;
          }
        }
      }
    }

    private void report(DetectionResult r) {
      long now = System.currentTimeMillis();
      int confirmations = policy.observe(r.code(), now);
      if (confirmations == 0 || closed) {
        return;
      }
      try {
        sink.report(cluster.name(), new DetectionReport(worker, r, confirmations));
        policy.sent(r.code(), now);
        if (r.code() != AnalysisCode.NO_PROBLEM) {
          log.info("cluster={} reported {} to its watch: {}", cluster.name(), r.code().wireName(), r.detail());
        }
      } catch (RuntimeException e) {
        // Temporal is unreachable or slow: the next probe tries again.
        log.warn("cluster={} could not report {} to its watch: {}", cluster.name(), r.code().wireName(),
            e.getMessage());
      }
    }
  }
}
