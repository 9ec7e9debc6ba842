package dev.handoff.planning;

import static dev.handoff.planning.Fixture.P;
import static dev.handoff.planning.Fixture.R1;
import static dev.handoff.planning.Fixture.R2;
import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.domain.AnalysisCode;
import dev.handoff.domain.Flavor;
import dev.handoff.domain.InstanceKey;
import java.util.List;
import org.junit.jupiter.api.Test;

class DetectionAnalyzerTest {
  private static final DetectionLimits LIMITS = new DetectionLimits(30, 10);

  /** A healthy connected replica that heard from the primary half a second ago. */
  private static ReplicaView connected(InstanceKey k) {
    return new ReplicaView(k, true, true, true, true, 0.5, null, 0.2, "0-1-100");
  }

  private static ReplicaView disconnected(InstanceKey k, String ioError) {
    return new ReplicaView(k, true, true, false, true, null, ioError, null, "0-1-100");
  }

  private static ReplicaView silent(InstanceKey k, double seconds) {
    return new ReplicaView(k, true, true, true, true, seconds, null, null, "0-1-100");
  }

  private static ReplicaView unreachable(InstanceKey k) {
    return new ReplicaView(k, false, false, false, false, null, null, null, "");
  }

  private static DetectionResult down(ReplicaView... replicas) {
    return DetectionAnalyzer.analyze(new DetectionInput(P, false, Flavor.MARIADB, null, List.of(replicas)), LIMITS);
  }

  private static DetectionResult up(String primaryGtid, ReplicaView... replicas) {
    return DetectionAnalyzer.analyze(new DetectionInput(P, true, Flavor.MARIADB, primaryGtid, List.of(replicas)), LIMITS);
  }

  @Test
  void partitionOfTheWorkerOnlyIsUnreachablePrimary() {
    DetectionResult r = down(connected(R1), connected(R2));
    assertThat(r.code()).isEqualTo(AnalysisCode.UNREACHABLE_PRIMARY);
    assertThat(r.code().triggersFailover()).isFalse();
    assertThat(r.detail()).contains("127.0.0.1:3308 (connected, last event 0.5 s ago)", "no action");
    assertThat(r.affected()).containsExactly(P);
  }

  @Test
  void allReplicasAgreeIsDeadPrimary() {
    DetectionResult r = down(disconnected(R1, "error reconnecting to master"), silent(R2, 45));
    assertThat(r.code()).isEqualTo(AnalysisCode.DEAD_PRIMARY);
    assertThat(r.detail()).contains("all 2 reachable replicas agree", "error reconnecting to master",
        "last event 45 s ago");
    assertThat(r.affected()).containsExactly(P);
  }

  @Test
  void oneReplicaStillConnectedIsNotDeadPrimary() {
    DetectionResult r = down(disconnected(R1, "timeout"), connected(R2));
    assertThat(r.code()).isEqualTo(AnalysisCode.UNREACHABLE_PRIMARY);
    assertThat(r.detail()).contains("127.0.0.1:3309", "still hears from it");
  }

  @Test
  void silenceWithinTheLimitOrUnknownDoesNotAgree() {
    assertThat(down(disconnected(R1, null), silent(R2, 30)).code()).isEqualTo(AnalysisCode.UNREACHABLE_PRIMARY);
    ReplicaView unknownSilence = new ReplicaView(R2, true, true, true, true, null, null, null, "");
    assertThat(down(disconnected(R1, null), unknownSilence).code()).isEqualTo(AnalysisCode.UNREACHABLE_PRIMARY);
  }

  @Test
  void noReachableReplicaCannotConfirm() {
    DetectionResult r = down(unreachable(R1), unreachable(R2));
    assertThat(r.code()).isEqualTo(AnalysisCode.UNREACHABLE_PRIMARY);
    assertThat(r.detail()).contains("no replica is reachable");
    assertThat(down().code()).isEqualTo(AnalysisCode.UNREACHABLE_PRIMARY);
  }

  @Test
  void unreachableReplicasHaveNoSay() {
    assertThat(down(unreachable(R1), disconnected(R2, "Connection refused")).code())
        .isEqualTo(AnalysisCode.DEAD_PRIMARY);
  }

  @Test
  void stoppedIoThreadAgrees() {
    ReplicaView stopped = new ReplicaView(R1, true, false, false, true, null, "", null, "");
    assertThat(down(stopped).code()).isEqualTo(AnalysisCode.DEAD_PRIMARY);
  }

  @Test
  void healthyClusterIsNoProblem() {
    DetectionResult r = up("0-1-100", connected(R1), connected(R2));
    assertThat(r.code()).isEqualTo(AnalysisCode.NO_PROBLEM);
    assertThat(r.affected()).isEmpty();
    assertThat(up("0-1-100").code()).isEqualTo(AnalysisCode.NO_PROBLEM);
  }

  @Test
  void allReplicasStopped() {
    DetectionResult r = up("0-1-100", disconnected(R1, "Access denied"),
        new ReplicaView(R2, true, true, true, false, 1.0, null, null, "0-1-100"));
    assertThat(r.code()).isEqualTo(AnalysisCode.ALL_REPLICAS_STOPPED);
    assertThat(r.affected()).containsExactly(R1, R2);
    assertThat(r.detail()).contains("Access denied", "SQL stopped");
    assertThat(up("0-1-100", unreachable(R1)).code()).isEqualTo(AnalysisCode.ALL_REPLICAS_STOPPED);
  }

  @Test
  void oneStoppedReplicaIsNotAllStopped() {
    assertThat(up("0-1-100", disconnected(R1, "x"), connected(R2)).code()).isEqualTo(AnalysisCode.NO_PROBLEM);
  }

  @Test
  void errantReplica() {
    ReplicaView errant = new ReplicaView(R2, true, true, true, true, 0.5, null, 0.1, "0-1-100,1-9-3");
    DetectionResult r = up("0-1-100", connected(R1), errant);
    assertThat(r.code()).isEqualTo(AnalysisCode.ERRANT_GTID);
    assertThat(r.affected()).containsExactly(R2);
    assertThat(r.detail()).contains("127.0.0.1:3309 has 1-9-3");
  }

  @Test
  void errantIsSkippedWithoutPrimaryGtidOrWithGarbage() {
    ReplicaView errant = new ReplicaView(R2, true, true, true, true, 0.5, null, 0.1, "0-1-100,1-9-3");
    assertThat(up(null, connected(R1), errant).code()).isEqualTo(AnalysisCode.NO_PROBLEM);
    assertThat(up("garbage", connected(R1), errant).code()).isEqualTo(AnalysisCode.NO_PROBLEM);
    ReplicaView garbage = new ReplicaView(R2, true, true, true, true, 0.5, null, 0.1, "garbage");
    assertThat(up("0-1-100", connected(R1), garbage).code()).isEqualTo(AnalysisCode.NO_PROBLEM);
  }

  @Test
  void laggingReplica() {
    ReplicaView lagging = new ReplicaView(R2, true, true, true, true, 0.5, null, 12.0, "0-1-90");
    DetectionResult r = up("0-1-100", connected(R1), lagging);
    assertThat(r.code()).isEqualTo(AnalysisCode.REPLICA_LAGGING);
    assertThat(r.affected()).containsExactly(R2);
    assertThat(r.detail()).isEqualTo("127.0.0.1:3309 lags 12 s (limit 10 s)");
    ReplicaView atLimit = new ReplicaView(R2, true, true, true, true, 0.5, null, 10.0, "0-1-90");
    assertThat(up("0-1-100", connected(R1), atLimit).code()).isEqualTo(AnalysisCode.NO_PROBLEM);
  }

  @Test
  void errantOutranksLagging() {
    ReplicaView both = new ReplicaView(R2, true, true, true, true, 0.5, null, 50.0, "0-1-90,4-9-1");
    assertThat(up("0-1-100", connected(R1), both).code()).isEqualTo(AnalysisCode.ERRANT_GTID);
  }

  @Test
  void viewFromInstanceState() {
    ReplicaView v = ReplicaView.of(Fixture.replica(R1, "0-1-5").io(false, "boom").lag(null, 3.0).build(), 12.0);
    assertThat(v).isEqualTo(new ReplicaView(R1, true, false, false, true, 12.0, "boom", 3.0, "0-1-5"));
    assertThat(v.replicating()).isFalse();
    ReplicaView none = ReplicaView.of(Fixture.primary(R2, "").notReplica().build(), null);
    assertThat(none.ioConnected()).isFalse();
    assertThat(none.lagSeconds()).isNull();
  }
}
