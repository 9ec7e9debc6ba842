package dev.handoff.switchover;

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
 * MariaDB cluster "c1" for workflow tests: writable primary 127.0.0.1:3307 and two read-only replicas
 * (3308, 3309) replicating from it, all at GTID 0-1-100, lag 0.1 s; two remote HAProxies; topology at
 * epoch 1; limits 5 s lag and 60 s DML. Every activity is a Mockito mock that answers as this healthy
 * cluster would; a test changes one instance ({@link #instance}) or one stub to make a step fail.
 */
final class SwitchoverFixture {
  static final String CLUSTER = "c1";
  static final InstanceKey PRIMARY = key(3307);
  static final InstanceKey R1 = key(3308);
  static final InstanceKey R2 = key(3309);
  /** Not an instance of the cluster. */
  static final InstanceKey STRANGER = key(3310);
  static final String GTID = "0-1-100";
  /** What setReadOnly returns: the primary's final position, a few writes past what inspect saw. */
  static final String FINAL_POSITION = "0-1-104";
  static final List<String> HAPROXIES = List.of("remote1", "remote2");
  static final long EPOCH = 1;
  static final double MAX_LAG_SECONDS = 5.0;
  static final long MAX_DML_SECONDS = 60;

  final ClusterActivities cluster = activityMock(ClusterActivities.class);
  final MysqlActivities mysql = activityMock(MysqlActivities.class);
  final TopologyActivities kv = activityMock(TopologyActivities.class);
  final HaproxyActivities haproxy = activityMock(HaproxyActivities.class);
  final HeartbeatActivities heartbeat = activityMock(HeartbeatActivities.class);
  final DetectionActivities detection = activityMock(DetectionActivities.class);

  private final Map<InstanceKey, Instance> instances = new LinkedHashMap<>();
  private final Map<String, Boolean> haproxyAnswers = new LinkedHashMap<>();

  SwitchoverFixture() {
    instances.put(PRIMARY, Instance.primary(PRIMARY, 1));
    instances.put(R1, Instance.replica(R1, 2));
    instances.put(R2, Instance.replica(R2, 3));
    HAPROXIES.forEach(h -> haproxyAnswers.put(h, true));

    // Reads answer from the (mutable) instances, so a test may change them after construction.
    when(cluster.describeCluster(new ClusterActivities.DescribeCluster(CLUSTER))).thenAnswer(inv -> new ClusterDescription(CLUSTER, Flavor.MARIADB,
        List.copyOf(instances.keySet()), Map.of(), HAPROXIES, MAX_LAG_SECONDS, MAX_DML_SECONDS));
    when(kv.readTopology(new TopologyActivities.ReadTopology(CLUSTER))).thenReturn(new Topology(CLUSTER, PRIMARY, List.of(R1, R2), EPOCH));
    ActivityAnswers.inspections(mysql, CLUSTER, () -> instances.values().stream().map(Instance::state).toList());
    when(haproxy.pingHaproxy(any())).thenAnswer(answer((HaproxyActivities.PingHaproxy req) ->
        new HaproxyActivities.PingResult(req.haproxy(), haproxyAnswers.getOrDefault(req.haproxy(), false))));

    // Changes succeed and say what they did (and what the unplanned runbook needs when a switchover hands over).
    ActivityAnswers.changesSucceed(mysql, kv, haproxy, heartbeat, FINAL_POSITION);

    // The primary answers: a probe finds nothing wrong (until a test kills it).
    when(detection.probeCluster(new DetectionActivities.ProbeCluster(CLUSTER))).thenAnswer(inv -> instances.get(PRIMARY).reachable
        ? new DetectionResult(AnalysisCode.NO_PROBLEM, "primary " + PRIMARY + " answers", List.of(), EPOCH, false)
        : new DetectionResult(AnalysisCode.DEAD_PRIMARY, "primary " + PRIMARY + " unreachable; replicas "
            + R1 + " lost their connection to it", List.of(PRIMARY), EPOCH, false));
  }

  /**
   * The old primary dies: from now on it does not answer, a probe confirms it dead, and every call that
   * needs it fails as a lost connection does.
   */
  void killPrimary() {
    instances.get(PRIMARY).unreachable();
  }

  boolean primaryAnswers() {
    return instances.get(PRIMARY).reachable;
  }

  /** The mocks, to register on a worker. */
  Object[] activities() {
    return new Object[] {cluster, mysql, kv, haproxy, heartbeat, detection};
  }

  /** One instance of the cluster, to change before the workflow starts. */
  Instance instance(InstanceKey key) {
    return instances.get(key);
  }

  /** The named remote HAProxy's admin socket does not answer. */
  SwitchoverFixture haproxySilent(String name) {
    haproxyAnswers.put(name, false);
    return this;
  }

  /** Not one call that changes the world: what every refusal and dry run must leave behind. */
  void verifyNothingChanged() {
    verify(mysql, never()).moveReplica(any());
    verify(mysql, never()).setReadOnly(any());
    verify(mysql, never()).waitForGtid(any());
    verify(mysql, never()).promote(any());
    verify(mysql, never()).rejoinAsReplica(any());
    verify(kv, never()).publishTopology(any());
    verify(haproxy, never()).repointWriter(any());
    verify(haproxy, never()).fenceWriter(any());
    verify(heartbeat, never()).restartHeartbeat(any());
  }

  /** No step from promotion's successors was taken: KV, HAProxy, pt-heartbeat, rejoin of the old primary. */
  void verifyNothingAfterPromotion() {
    verify(kv, never()).publishTopology(any());
    verify(haproxy, never()).repointWriter(any());
    verify(heartbeat, never()).restartHeartbeat(any());
    verify(mysql, never()).rejoinAsReplica(new MysqlActivities.RejoinAsReplica(CLUSTER, PRIMARY, R1));
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
    private boolean readOnly;
    private String gtid = GTID;
    private boolean replica;
    private boolean io = true;
    private boolean sql = true;
    private String sqlError;
    private double lagSeconds = 0.1;
    private boolean ddl;
    private long dmlSeconds;

    private Instance(InstanceKey key, long serverId) {
      this.key = key;
      this.serverId = serverId;
    }

    static Instance primary(InstanceKey key, long serverId) {
      return new Instance(key, serverId);
    }

    static Instance replica(InstanceKey key, long serverId) {
      Instance i = new Instance(key, serverId);
      i.replica = true;
      i.readOnly = true;
      return i;
    }

    Instance gtid(String executed) {
      this.gtid = executed;
      return this;
    }

    Instance lag(double seconds) {
      this.lagSeconds = seconds;
      return this;
    }

    Instance ddlRunning() {
      this.ddl = true;
      return this;
    }

    Instance dmlRunningFor(long seconds) {
      this.dmlSeconds = seconds;
      return this;
    }

    Instance replicationStopped(String lastSqlError) {
      this.io = false;
      this.sql = false;
      this.sqlError = lastSqlError;
      return this;
    }

    Instance writable() {
      this.readOnly = false;
      return this;
    }

    Instance unreachable() {
      this.reachable = false;
      return this;
    }

    InstanceSnapshot state() {
      if (!reachable) {
        return InstanceSnapshot.unreachable(key, null, "connect timed out");
      }
      ReplicationStatus replication = replica
          ? new ReplicationStatus(PRIMARY, io, sql, gtid, null, sqlError, Math.round(lagSeconds), lagSeconds)
          : null;
      return new InstanceSnapshot(key, true, null, serverId, null, Flavor.MARIADB, "10.11.19-MariaDB-0+deb12u1",
          readOnly, gtid, replication, ddl, dmlSeconds, null);
    }
  }
}
