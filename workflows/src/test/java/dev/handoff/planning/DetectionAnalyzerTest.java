package dev.handoff.planning;

import static dev.handoff.planning.Fixture.P;
import static dev.handoff.planning.Fixture.R1;
import static dev.handoff.planning.Fixture.R2;
import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.domain.AnalysisCode;
import dev.handoff.domain.Flavor;
import dev.handoff.domain.InstanceKey;
import dev.handoff.domain.ReplicationStatus;
import dev.handoff.planning.DetectionAnalyzer.Vote;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The analyzer on the inputs the detector builds: replica statuses as the snapshot reader reads them,
 * fed through the receive tracker over time (so silence is measured the way the detector measures it),
 * and pt-heartbeat's lag beside them.
 */
class DetectionAnalyzerTest {
  private static final DetectionLimits LIMITS = new DetectionLimits(3, 10);
  private static final long SECOND = 1_000_000_000L;
  private static final long EPOCH = 7;

  private final ReceiveTracker tracker = new ReceiveTracker();

  /** A status of a replica of {@code source}: IO state, SQL state, read and executed positions, heartbeats. */
  private static ReplicationStatus row(InstanceKey source, String io, String sql, long read, long exec,
      long heartbeats) {
    return Fixture.status(source, io, sql, "bin.000002", read, exec, heartbeats, "0-1-" + read,
        io.equals("Connecting") ? "error reconnecting to master" : "");
  }

  /** The view of {@code k} after the detector saw {@code first} at t=0 and {@code now} at t=seconds. */
  private ReplicaView seen(InstanceKey k, ReplicationStatus first, ReplicationStatus now, double seconds, Double lag) {
    tracker.secondsSinceReceived(k, first, 0);
    Double since = tracker.secondsSinceReceived(k, now, (long) (seconds * SECOND));
    return Fixture.view(k, "0-1-" + now.progress().execPosition(), now, lag, since);
  }

  /** A replica of P that keeps receiving (its heartbeat count moves) and has applied everything. */
  private ReplicaView receiving(InstanceKey k) {
    return seen(k, row(P, "Yes", "Yes", 100, 100, 5), row(P, "Yes", "Yes", 100, 100, 9), 4, 0.2);
  }

  /** A replica of P whose IO thread lost the primary: SHOW SLAVE STATUS says Connecting. */
  private ReplicaView connecting(InstanceKey k) {
    return seen(k, row(P, "Yes", "Yes", 100, 100, 5), row(P, "Connecting", "Yes", 100, 100, 5), 4, 3.5);
  }

  private static DetectionResult down(ReplicaView... replicas) {
    return DetectionAnalyzer.analyze(DetectionInput.primaryDown(EPOCH, P, "Connection refused", Flavor.MARIADB,
        List.of(replicas)), LIMITS);
  }

  private static DetectionResult up(String primaryGtid, ReplicaView... replicas) {
    return DetectionAnalyzer.analyze(DetectionInput.primaryUp(EPOCH, P, false, false, Flavor.MARIADB, primaryGtid,
        List.of(replicas)), LIMITS);
  }

  @Test
  void partitionOfTheWorkerOnlyIsUnreachablePrimary() {
    DetectionResult r = down(receiving(R1), receiving(R2));
    assertThat(r.code()).isEqualTo(AnalysisCode.UNREACHABLE_PRIMARY);
    assertThat(r.detail()).contains("Connection refused", "still hear from it", "last received 0 s ago", "no action");
    assertThat(r.affected()).containsExactly(P);
    assertThat(r.epoch()).isEqualTo(EPOCH);
  }

  @Test
  void everyReplicaOfThePrimaryLostItIsDeadPrimary() {
    DetectionResult r = down(connecting(R1), connecting(R2));
    assertThat(r.code()).isEqualTo(AnalysisCode.DEAD_PRIMARY);
    assertThat(r.detail()).contains("replicas agree", "lost its connection (error reconnecting to master)");
  }

  @Test
  void aConnectedReplicaThatReceivedNothingForLongerThanTheLimitWithNothingToApplyVotesDead() {
    ReplicaView silent = seen(R1, row(P, "Yes", "Yes", 100, 100, 5), row(P, "Yes", "Yes", 100, 100, 5), 3.5, 3.6);
    assertThat(DetectionAnalyzer.vote(silent, P, LIMITS)).isEqualTo(Vote.DEAD);
    assertThat(down(silent, connecting(R2)).code()).isEqualTo(AnalysisCode.DEAD_PRIMARY);
  }

  /**
   * The watch's default limit: a replica that has heard nothing, not even a 1 s heartbeat, for 2.6 s has missed
   * two heartbeats and votes dead; one that heard something 2.4 s ago has not yet missed the second and half.
   */
  @Test
  void withTheWatchDefaultsTwoAndAHalfSecondsOfSilenceIsAVoteForDead() {
    DetectionLimits defaults = new DetectionLimits(dev.handoff.detection.WatchSettings.defaults()
        .maxSecondsSinceLastEvent(), 10);
    ReplicationStatus still = row(P, "Yes", "Yes", 100, 100, 5);
    ReplicaView silent = seen(R1, still, still, 2.6, 2.6);
    ReplicaView recent = seen(R2, still, still, 2.4, 2.4);
    assertThat(DetectionAnalyzer.vote(silent, P, defaults)).isEqualTo(Vote.DEAD);
    assertThat(DetectionAnalyzer.vote(recent, P, defaults)).isEqualTo(Vote.ALIVE);
  }

  @Test
  void lagIsNotSilence() {
    // SQL thread stopped ten seconds behind, but events and heartbeats keep arriving: pt-heartbeat says 10 s.
    ReplicaView lagging = seen(R1, row(P, "Yes", "No", 500, 100, 5), row(P, "Yes", "No", 900, 100, 9), 4, 10.5);
    assertThat(DetectionAnalyzer.vote(lagging, P, LIMITS)).isEqualTo(Vote.ALIVE);
    ReplicaView other = seen(R2, row(P, "Yes", "Yes", 500, 450, 5), row(P, "Yes", "Yes", 900, 600, 9), 4, 10.2);
    DetectionResult r = down(lagging, other);
    assertThat(r.code()).isEqualTo(AnalysisCode.UNREACHABLE_PRIMARY);
  }

  @Test
  void aSilentReplicaStillApplyingItsBacklogDoesNotVoteDead() {
    ReplicaView behind = seen(R1, row(P, "Yes", "Yes", 900, 100, 5), row(P, "Yes", "Yes", 900, 300, 5), 5, 12.0);
    assertThat(DetectionAnalyzer.vote(behind, P, LIMITS)).isEqualTo(Vote.ALIVE);
    assertThat(down(behind, connecting(R2)).code()).isEqualTo(AnalysisCode.UNREACHABLE_PRIMARY);
  }

  @Test
  void silenceIsUnknownOnTheFirstSightingNeverAssumed() {
    ReplicationStatus still = row(P, "Yes", "Yes", 100, 100, 5);
    Double first = tracker.secondsSinceReceived(R1, still, 50 * SECOND);
    assertThat(first).isNull();
    ReplicaView v = Fixture.view(R1, "0-1-100", still, 0.1, first);
    assertThat(DetectionAnalyzer.vote(v, P, LIMITS)).isEqualTo(Vote.ALIVE);
    assertThat(tracker.secondsSinceReceived(R1, still, 54 * SECOND)).isEqualTo(4.0);
    // A heartbeat resets it.
    assertThat(tracker.secondsSinceReceived(R1, row(P, "Yes", "Yes", 100, 100, 6), 55 * SECOND)).isEqualTo(0.0);
  }

  @Test
  void aReplicaWhoseIoThreadAnOperatorStoppedAbstains() {
    ReplicaView stopped = seen(R1, row(P, "Yes", "Yes", 100, 100, 5), row(P, "No", "Yes", 100, 100, 5), 30, 30.0);
    assertThat(DetectionAnalyzer.vote(stopped, P, LIMITS)).isEqualTo(Vote.ABSTAIN);
    // Alone it confirms nothing.
    assertThat(down(stopped).code()).isEqualTo(AnalysisCode.UNREACHABLE_PRIMARY);
    // Beside a replica that lost the primary, it does not stand in the way either.
    assertThat(down(stopped, connecting(R2)).code()).isEqualTo(AnalysisCode.DEAD_PRIMARY);
  }

  @Test
  void aRestartedOldPrimaryOrAReplicaOfAnotherSourceAbstains() {
    ReplicaView standalone = Fixture.view(R1, "0-1-100", null, null, null);
    ReplicaView elsewhere = seen(R2, row(R1, "Connecting", "Yes", 1, 1, 0), row(R1, "Connecting", "Yes", 1, 1, 0), 9,
        null);
    assertThat(DetectionAnalyzer.vote(standalone, P, LIMITS)).isEqualTo(Vote.ABSTAIN);
    assertThat(DetectionAnalyzer.vote(elsewhere, P, LIMITS)).isEqualTo(Vote.ABSTAIN);
    DetectionResult r = down(standalone, elsewhere);
    assertThat(r.code()).isEqualTo(AnalysisCode.UNREACHABLE_PRIMARY);
    assertThat(r.detail()).contains("not a replica", "replicates from " + R1 + ", not from the primary");
  }

  @Test
  void nothingReachableIsDetectionBlind() {
    DetectionResult r = down(ReplicaView.unreachable(R1, "Access denied for user 'handoff_admin'"),
        ReplicaView.unreachable(R2, "Connection refused"));
    assertThat(r.code()).isEqualTo(AnalysisCode.DETECTION_BLIND);
    assertThat(r.detail()).contains("Access denied for user 'handoff_admin'", "no action");
    DetectionResult upButAlone = up("0-1-100", ReplicaView.unreachable(R1, "refused"),
        ReplicaView.unreachable(R2, "refused"));
    assertThat(upButAlone.code()).isEqualTo(AnalysisCode.DETECTION_BLIND);
    assertThat(DetectionAnalyzer.kvBlind("c1", "etcd down").code()).isEqualTo(AnalysisCode.DETECTION_BLIND);
  }

  @Test
  void healthyIsNoProblem() {
    DetectionResult r = up("0-1-100", receiving(R1), receiving(R2));
    assertThat(r.code()).isEqualTo(AnalysisCode.NO_PROBLEM);
    assertThat(r.detail()).contains("2 of 2 replicas replicate from it");
  }

  @Test
  void aSecondWritableInstanceIsMultipleWritable() {
    ReplicaView returned = new ReplicaView(R2, true, "", false, null, null, false, null, false, "", null, "0-1-100");
    DetectionResult r = up("0-1-100", receiving(R1), returned);
    assertThat(r.code()).isEqualTo(AnalysisCode.MULTIPLE_WRITABLE);
    assertThat(r.affected()).containsExactly(R2);
  }

  @Test
  void aReadOnlyPrimaryWithNoOtherWriterIsNoWritablePrimary() {
    DetectionResult r = DetectionAnalyzer.analyze(DetectionInput.primaryUp(EPOCH, P, true, false, Flavor.MARIADB,
        "0-1-100", List.of(receiving(R1), receiving(R2))), LIMITS);
    assertThat(r.code()).isEqualTo(AnalysisCode.NO_WRITABLE_PRIMARY);
    assertThat(r.detail()).contains("no other instance is writable");
    assertThat(r.affected()).containsExactly(P);
  }

  @Test
  void aReadOnlyPrimaryBesideAWritableInstanceIsReportedAsADisagreement() {
    ReplicaView writable = new ReplicaView(R1, true, "", false, null, null, false, null, false, "", null, "0-1-100");
    DetectionResult r = DetectionAnalyzer.analyze(DetectionInput.primaryUp(EPOCH, P, true, false, Flavor.MARIADB,
        "0-1-100", List.of(writable, receiving(R2))), LIMITS);
    assertThat(r.code()).isEqualTo(AnalysisCode.NO_WRITABLE_PRIMARY);
    assertThat(r.detail()).contains(R1 + " is writable", "disagree");
  }

  @Test
  void semiSyncFallenBackIsReportedAboveStoppedReplicas() {
    ReplicaView s1 = seen(R1, row(P, "Yes", "Yes", 100, 100, 5), row(P, "No", "Yes", 100, 100, 5), 5, 5.0);
    ReplicaView s2 = seen(R2, row(P, "Yes", "Yes", 100, 100, 5), row(P, "No", "Yes", 100, 100, 5), 5, 5.0);
    DetectionResult r = DetectionAnalyzer.analyze(DetectionInput.primaryUp(EPOCH, P, false, true, Flavor.MARIADB,
        "0-1-100", List.of(s1, s2)), LIMITS);
    assertThat(r.code()).isEqualTo(AnalysisCode.SEMI_SYNC_DEGRADED);
    assertThat(r.semiSyncDegraded()).isTrue();
    assertThat(r.detail()).contains("acknowledged writes can be lost");
    DetectionResult stopped = up("0-1-100", s1, s2);
    assertThat(stopped.code()).isEqualTo(AnalysisCode.ALL_REPLICAS_STOPPED);
    assertThat(stopped.semiSyncDegraded()).isFalse();
  }

  @Test
  void errantTransactionsAreReported() {
    ReplicaView errant = Fixture.view(R2, "0-1-100,1-9-3", row(P, "Yes", "Yes", 100, 100, 5), 0.1, 0.0);
    DetectionResult r = up("0-1-100", receiving(R1), errant);
    assertThat(r.code()).isEqualTo(AnalysisCode.ERRANT_GTID);
    assertThat(r.detail()).contains(R2 + " has 1-9-3");
  }

  @Test
  void lagOverTheLimitIsReplicaLagging() {
    ReplicaView lagging = seen(R2, row(P, "Yes", "Yes", 500, 100, 5), row(P, "Yes", "Yes", 900, 300, 9), 4, 12.0);
    DetectionResult r = up("0-1-900", receiving(R1), lagging);
    assertThat(r.code()).isEqualTo(AnalysisCode.REPLICA_LAGGING);
    assertThat(r.detail()).contains(R2 + " lags 12 s");
  }
}
