package dev.handoff.planning;

import static dev.handoff.planning.Fixture.P;
import static dev.handoff.planning.Fixture.R1;
import static dev.handoff.planning.Fixture.R2;
import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.detection.WatchSettings;
import dev.handoff.domain.AnalysisCode;
import dev.handoff.domain.Flavor;
import dev.handoff.domain.InstanceKey;
import dev.handoff.domain.ReplicationStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The watch's pacing: a healthy cluster is probed once an interval; an unreachable primary or a replica that
 * has gone quiet is looked at again after a short pause, so a frozen primary's replicas are seen crossing the
 * silence limit when they cross it; a dead primary is confirmed by a second probe soon after the first.
 */
class ProbePacingTest {
  private static final long INTERVAL = 1000;
  private static final double LIMIT = 2.5;

  /** A replica of P connected and applied up to date, that last received something {@code since} seconds ago. */
  private static ReplicaView replica(InstanceKey k, Double since) {
    return Fixture.view(k, "0-1-100", status("Yes", 5), 0.1, since);
  }

  /** A replica of P with its IO thread as printed, applied up to date, with {@code heartbeats} received. */
  private static ReplicationStatus status(String io, long heartbeats) {
    return Fixture.status(P, io, "Yes", "bin.000002", 100, 100, heartbeats, "0-1-100", "");
  }

  private static DetectionInput up(ReplicaView... replicas) {
    return DetectionInput.primaryUp(1, P, false, false, Flavor.MARIADB, "0-1-100", List.of(replicas));
  }

  private static DetectionInput down(ReplicaView... replicas) {
    return DetectionInput.primaryDown(1, P, "Read timed out", Flavor.MARIADB, List.of(replicas));
  }

  private static long next(DetectionInput in, AnalysisCode code, boolean confirming, long previous) {
    return ProbePacing.nextPauseMillis(in, code, confirming, previous, INTERVAL, LIMIT);
  }

  @Test
  void aHealthyClusterIsProbedOnceAnInterval() {
    assertThat(next(up(replica(R1, 0.0), replica(R2, 1.0)), AnalysisCode.NO_PROBLEM, false, INTERVAL))
        .isEqualTo(INTERVAL);
    assertThat(next(up(replica(R1, null), replica(R2, 0.3)), AnalysisCode.NO_PROBLEM, false, 100)).isEqualTo(INTERVAL);
  }

  @Test
  void aPrimaryThatDoesNotAnswerTheWorkerIsProbedAgainAtOnce() {
    long pause = next(down(replica(R1, 0.0), replica(R2, 0.0)), AnalysisCode.UNREACHABLE_PRIMARY, false, INTERVAL);
    assertThat(pause).isEqualTo(ProbePacing.SUSPICIOUS_PAUSE_MILLIS).isLessThan(INTERVAL);
  }

  @Test
  void aReplicaQuietForHalfTheLimitIsWatchedClosely() {
    assertThat(next(up(replica(R1, 0.0), replica(R2, 1.4)), AnalysisCode.NO_PROBLEM, false, INTERVAL))
        .isEqualTo(ProbePacing.SUSPICIOUS_PAUSE_MILLIS);
  }

  @Test
  void aReplicaPastTheLimitUnderAnAnsweringPrimaryLeavesNothingToDecideSoTheIntervalReturns() {
    assertThat(next(up(replica(R1, 0.0), replica(R2, 9.0)), AnalysisCode.NO_PROBLEM, false, 100)).isEqualTo(INTERVAL);
  }

  @Test
  void aReplicaWithItsIoThreadStoppedIsNoReasonToHurry() {
    ReplicaView r = Fixture.view(R2, "0-1-100", status("No", 5), 0.1, 2.0);
    assertThat(next(up(replica(R1, 0.0), r), AnalysisCode.NO_PROBLEM, false, INTERVAL)).isEqualTo(INTERVAL);
  }

  @Test
  void aFirstDeadPrimaryIsConfirmedByAnotherProbeSoon() {
    assertThat(next(down(replica(R1, 3.0)), AnalysisCode.DEAD_PRIMARY, true, INTERVAL))
        .isEqualTo(ProbePacing.CONFIRM_PAUSE_MILLIS).isLessThan(INTERVAL);
  }

  @Test
  void aBlindWatchBacksOffUpToItsLimit() {
    assertThat(next(null, AnalysisCode.DETECTION_BLIND, false, INTERVAL)).isEqualTo(2 * INTERVAL);
    assertThat(next(null, AnalysisCode.DETECTION_BLIND, false, ProbePacing.SUSPICIOUS_PAUSE_MILLIS))
        .isEqualTo(2 * INTERVAL);
    assertThat(next(null, AnalysisCode.DETECTION_BLIND, false, 6000)).isEqualTo(ProbePacing.BLIND_BACKOFF_MAX_MILLIS);
  }

  /**
   * A frozen primary's last heartbeat reached its replicas at t=0.5; the watch probes each second, then, once the
   * primary stops answering, as fast as its probe timeout allows. With the default limit the replicas vote it dead
   * on the first probe past 0.9 + 2.5 s after the probe that saw the last heartbeat, not a probe interval later.
   */
  @Test
  void withTheDefaultsAFrozenPrimaryIsVotedDeadWithinTheLimitAndOneFastProbeOfItsLastHeartbeat() {
    WatchSettings defaults = WatchSettings.defaults();
    DetectionLimits limits = new DetectionLimits(defaults.maxSecondsSinceLastEvent(), 10);
    ReceiveTracker tracker = new ReceiveTracker();
    long probeMillis = 700; // the primary's probe timeout, each probe while it is frozen
    ReplicationStatus before = status("Yes", 4);
    ReplicationStatus last = status("Yes", 5);
    tracker.secondsSinceReceived(R1, before, 0);
    long now = 900; // the probe that saw the last heartbeat
    tracker.secondsSinceReceived(R1, last, now * 1_000_000);
    boolean reachable = true;
    AnalysisCode code = AnalysisCode.NO_PROBLEM;
    long pause = defaults.probeIntervalMillis();
    while (code != AnalysisCode.DEAD_PRIMARY && now < 20_000) {
      now += pause + (reachable ? 50 : probeMillis);
      reachable = now < 1500;
      Double since = tracker.secondsSinceReceived(R1, last, now * 1_000_000);
      ReplicaView v = Fixture.view(R1, "0-1-100", last, 0.1, since);
      DetectionInput in = reachable ? up(v) : down(v);
      code = DetectionAnalyzer.analyze(in, limits).code();
      pause = ProbePacing.nextPauseMillis(in, code, false, pause, defaults.probeIntervalMillis(),
          defaults.maxSecondsSinceLastEvent());
    }
    assertThat(code).isEqualTo(AnalysisCode.DEAD_PRIMARY);
    assertThat(now - 900).isGreaterThan((long) (defaults.maxSecondsSinceLastEvent() * 1000))
        .isLessThanOrEqualTo((long) (defaults.maxSecondsSinceLastEvent() * 1000) + probeMillis
            + ProbePacing.SUSPICIOUS_PAUSE_MILLIS);
  }
}
