package dev.handoff.recovery;

import dev.handoff.ActivityAnswers;
import static org.mockito.AdditionalAnswers.answer;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import dev.handoff.cluster.ClusterActivities;
import dev.handoff.cluster.ClusterDescription;
import dev.handoff.detection.DetectionActivities;
import dev.handoff.domain.AnalysisCode;
import dev.handoff.domain.Flavor;
import dev.handoff.domain.InstanceKey;
import dev.handoff.domain.InstanceSnapshot;
import dev.handoff.domain.PromotionRule;
import dev.handoff.domain.ReplicationStatus;
import dev.handoff.domain.Topology;
import dev.handoff.haproxy.HaproxyActivities;
import dev.handoff.heartbeat.HeartbeatActivities;
import dev.handoff.kv.TopologyActivities;
import dev.handoff.mysql.MysqlActivities;
import dev.handoff.planning.DetectionResult;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MariaDB cluster "c1" whose primary 127.0.0.1:3307 died: the KV store still names it (epoch 1), the
 * worker cannot reach it, and both replicas' IO threads are disconnected from it. 3308 (server_id 2)
 * executed 0-1-100 and received up to 0-1-103; 3309 (server_id 3) executed 0-1-101 and received up to
 * 0-1-105, so 3309 is the most advanced. probeCluster confirms DeadPrimary; two remote HAProxies.
 * Every change succeeds and says what it did; a test changes one instance or one stub to make a step fail.
 */
final class RecoveryFixture {
  static final String CLUSTER = "c1";
  static final InstanceKey PRIMARY = key(3307);
  static final InstanceKey R1 = key(3308);
  static final InstanceKey R2 = key(3309);
  static final List<String> HAPROXIES = List.of("remote1", "remote2");
  static final long EPOCH = 1;
  static final String DEAD_DETAIL = PRIMARY + " unreachable; 2 of 2 reachable replicas agree (IO thread not connected)";
  static final String IO_ERROR = "error reconnecting to master 'repl@127.0.0.1:3307' - retry-time: 1  maximum-retries:"
      + " 86400  message: Can't connect to server on '127.0.0.1' (111 \"Connection refused\")";

  final ClusterActivities cluster = activityMock(ClusterActivities.class);
  final DetectionActivities detection = activityMock(DetectionActivities.class);
  final MysqlActivities mysql = activityMock(MysqlActivities.class);
  final TopologyActivities kv = activityMock(TopologyActivities.class);
  final HaproxyActivities haproxy = activityMock(HaproxyActivities.class);
  final HeartbeatActivities heartbeat = activityMock(HeartbeatActivities.class);

  private final Map<InstanceKey, Instance> instances = new LinkedHashMap<>();

  RecoveryFixture() {
    instances.put(PRIMARY, new Instance(PRIMARY, 1).unreachable());
    instances.put(R1, new Instance(R1, 2).replica("0-1-100", "0-1-103"));
    instances.put(R2, new Instance(R2, 3).replica("0-1-101", "0-1-105"));

    // Reads answer from the (mutable) instances, so a test may change them after construction.
    when(cluster.describeCluster(new ClusterActivities.DescribeCluster(CLUSTER))).thenAnswer(inv -> new ClusterDescription(CLUSTER, Flavor.MARIADB,
        List.copyOf(instances.keySet()), rules(), HAPROXIES, 5.0, 60));
    when(kv.readTopology(new TopologyActivities.ReadTopology(CLUSTER))).thenReturn(new Topology(CLUSTER, PRIMARY, List.of(R1, R2), EPOCH));
    ActivityAnswers.inspections(mysql, CLUSTER, () -> instances.values().stream().map(Instance::state).toList());
    when(detection.probeCluster(new DetectionActivities.ProbeCluster(CLUSTER))).thenReturn(analysis(AnalysisCode.DEAD_PRIMARY));

    // Changes succeed and say what they did.
    ActivityAnswers.changesSucceed(mysql, kv, haproxy, heartbeat, "0-1-101");
  }

  /** The mocks, to register on a worker. */
  Object[] activities() {
    return new Object[] {cluster, detection, mysql, kv, haproxy, heartbeat};
  }

  /** One instance of the cluster, to change before the workflow starts. */
  Instance instance(InstanceKey key) {
    return instances.get(key);
  }

  /** What a detection pass with this verdict returns for this cluster. */
  static DetectionResult analysis(AnalysisCode code) {
    return analysis(code, -1);
  }

  /** The same, read at topology {@code epoch}; a SemiSyncDegraded verdict says semi-sync is degraded. */
  static DetectionResult analysis(AnalysisCode code, long epoch) {
    return new DetectionResult(code, code == AnalysisCode.DEAD_PRIMARY ? DEAD_DETAIL : code + " on " + CLUSTER,
        List.of(PRIMARY), epoch, code == AnalysisCode.SEMI_SYNC_DEGRADED);
  }

  /** Nothing was promoted, moved, published, repointed or restarted: a failure before the point of promotion. */
  void verifyNothingPromoted() {
    verify(mysql, never()).promote(any());
    verify(mysql, never()).moveReplica(any());
    verify(kv, never()).publishTopology(any());
    verify(haproxy, never()).repointRoutes(any());
    verify(haproxy, never()).repointWriter(any());
    verify(heartbeat, never()).restartHeartbeat(any());
  }

  /** Not even fenced: what a refusal must leave behind. */
  void verifyNothingChanged() {
    verifyNothingPromoted();
    verify(haproxy, never()).fenceWriter(any());
    verify(mysql, never()).waitForGtid(any());
    verify(mysql, never()).catchUp(any());
    verify(mysql, never()).setReadOnly(any());
  }

  private Map<String, PromotionRule> rules() {
    Map<String, PromotionRule> rules = new LinkedHashMap<>();
    instances.values().forEach(i -> rules.put(i.key.toString(), i.rule));
    return rules;
  }

  static InstanceKey key(int port) {
    return new InstanceKey("127.0.0.1", port);
  }

  private static <T> T activityMock(Class<T> activityInterface) {
    return mock(activityInterface, withSettings().withoutAnnotations());
  }

  /** A snapshot under construction, as inspectCluster would report it. */
  static final class Instance {
    private final InstanceKey key;
    private final long serverId;
    private boolean reachable = true;
    private boolean replica;
    private String executed = "";
    private String received = "";
    private String sqlError;
    private PromotionRule rule = PromotionRule.NEUTRAL;

    private Instance(InstanceKey key, long serverId) {
      this.key = key;
      this.serverId = serverId;
    }

    /** A replica of the dead primary: IO thread not connected, SQL thread applying its relay log. */
    Instance replica(String executedSet, String receivedSet) {
      this.replica = true;
      this.executed = executedSet;
      this.received = receivedSet;
      return this;
    }

    Instance rule(PromotionRule r) {
      this.rule = r;
      return this;
    }

    Instance sqlStopped(String error) {
      this.sqlError = error;
      return this;
    }

    Instance unreachable() {
      this.reachable = false;
      return this;
    }

    InstanceSnapshot state() {
      if (!reachable) {
        return InstanceSnapshot.unreachable(key, rule, "connect to " + key + ": Connection refused");
      }
      ReplicationStatus replication = replica
          ? new ReplicationStatus(PRIMARY, false, sqlError == null, received, IO_ERROR, sqlError, null, null)
          : null;
      return new InstanceSnapshot(key, true, null, serverId, null, Flavor.MARIADB, "10.11.19-MariaDB-0+deb12u1",
          true, executed, replication, false, 0, rule);
    }
  }
}
