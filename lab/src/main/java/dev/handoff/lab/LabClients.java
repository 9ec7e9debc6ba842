package dev.handoff.lab;

import dev.handoff.config.ClusterSettings;
import dev.handoff.config.HandoffConfig;
import dev.handoff.config.HaproxySettings;
import dev.handoff.mysql.Db;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** Connections and addresses into a running lab, for tests, drills and benchmarks. */
public record LabClients(HandoffConfig config) {
  public ClusterSettings cluster(String name) {
    return config.requireCluster(name);
  }

  /** Instance keys of a cluster in lab order: the first is the primary the lab started with. */
  public List<String> instances(String cluster) {
    return cluster(cluster).instances().stream().map(i -> i.key()).toList();
  }

  public Connection admin(String instanceKey) throws SQLException {
    return Db.connect(instanceKey, config.credentials().admin(), 2000);
  }

  /** The application user, through any host:port (an instance or an HAProxy frontend). */
  public Connection app(String hostPort) throws SQLException {
    return Db.connect(hostPort, config.credentials().application(), 2000);
  }

  /**
   * The replicas' timeout: how long a replica's IO thread waits on a source that sends nothing (not even a
   * heartbeat) before it gives up the connection and reconnects ({@code @@slave_net_timeout}), read from
   * {@code replica}.
   */
  public int replicaNetTimeoutSeconds(String replica) throws SQLException {
    try (Connection c = admin(replica); java.sql.Statement st = c.createStatement();
         java.sql.ResultSet rs = st.executeQuery("SELECT @@slave_net_timeout")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  public HaproxySettings haproxy(String name) {
    return config.haproxy().stream().filter(h -> h.name().equals(name)).findFirst()
        .orElseThrow(() -> new LabException("no HAProxy named " + name));
  }

  /** The local HAProxy's writer frontend for a cluster: where clients send writes. */
  public String localWriter(String cluster) {
    return "127.0.0.1:" + haproxy("local").frontends().get(cluster).writer();
  }

  public String localReader(String cluster) {
    return "127.0.0.1:" + haproxy("local").frontends().get(cluster).reader();
  }
}
