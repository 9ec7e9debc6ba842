package dev.handoff.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.config.HaproxySettings;
import dev.handoff.heartbeat.HeartbeatProcesses;
import dev.handoff.kv.EtcdTopologyStore;
import dev.handoff.kv.TopologyRecord;
import dev.handoff.mysql.FlavorSql;
import dev.handoff.status.ClusterStatus;
import dev.handoff.status.StatusReport;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The lab's parts are real and wired as the architecture says. */
class LabIT {
  @RegisterExtension
  static final LabExtension LAB = LabExtension.clusters(1).replicas(2);

  private static LabClients clients() {
    return new LabClients(LAB.info().config());
  }

  private static String primary() {
    return clients().instances("c1").get(0);
  }

  private static List<String> replicas() {
    List<String> all = clients().instances("c1");
    return all.subList(1, all.size());
  }

  private static String query(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Test
  void labStartsHealthy() {
    StatusReport report = StatusReport.read(LAB.info().config());
    ClusterStatus c1 = report.clusters().get(0);
    assertThat(c1.problems()).isEmpty();
    assertThat(c1.kvPrimary()).isEqualTo(primary());
    assertThat(LAB.info().startSeconds()).as("seconds lab up took (printed, not a target)").isPositive();
  }

  @Test
  void aWriteOnThePrimaryIsOnEveryReplicaWithinASecond() throws Exception {
    String position;
    try (Connection c = clients().app(primary()); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE IF NOT EXISTS app.lab_probe (id INT PRIMARY KEY, note VARCHAR(40))");
      st.execute("INSERT INTO app.lab_probe VALUES (1, 'reaches every replica')");
    }
    try (Connection c = clients().admin(primary())) {
      position = query(c, "SELECT @@gtid_binlog_pos");
    }
    for (String r : replicas()) {
      try (Connection c = clients().admin(r)) {
        assertThat(query(c, FlavorSql.MARIADB.waitForGtid(position, 1))).as(r + " reached " + position).isEqualTo("0");
        assertThat(query(c, "SELECT note FROM app.lab_probe WHERE id = 1")).isEqualTo("reaches every replica");
      }
    }
  }

  @Test
  void everyReplicaIsASemiSyncClient() throws Exception {
    try (Connection c = clients().admin(primary()); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SHOW STATUS LIKE 'Rpl_semi_sync_master_clients'")) {
      rs.next();
      assertThat(rs.getInt(2)).isEqualTo(replicas().size());
    }
    try (Connection c = clients().admin(primary())) {
      assertThat(query(c, "SELECT @@rpl_semi_sync_master_wait_point")).isEqualTo("AFTER_SYNC");
    }
  }

  @Test
  void theApplicationUserCannotWriteToAReadOnlyReplica() throws Exception {
    try (Connection c = clients().app(replicas().get(0)); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE IF NOT EXISTS app.lab_probe (id INT PRIMARY KEY, note VARCHAR(40))");
      throw new AssertionError("a DDL by the application user on a read-only replica succeeded");
    } catch (SQLException e) {
      assertThat(e.getErrorCode()).as(e.getMessage()).isEqualTo(1290);
    }
  }

  @Test
  void writerFrontendsReachOnlyThePrimaryAndReaderFrontendsOnlyReplicas() throws Exception {
    String primaryPort = primary().substring(primary().indexOf(':') + 1);
    Set<String> replicaPorts = new HashSet<>();
    replicas().forEach(r -> replicaPorts.add(r.substring(r.indexOf(':') + 1)));
    LabClients lab = clients();
    List<String> writers = new java.util.ArrayList<>(List.of(lab.localWriter("c1")));
    List<String> readers = new java.util.ArrayList<>(List.of(lab.localReader("c1")));
    for (HaproxySettings h : LAB.info().config().remoteHaproxies()) {
      writers.add("127.0.0.1:" + h.frontends().get("c1").writer());
      readers.add("127.0.0.1:" + h.frontends().get("c1").reader());
    }
    for (String w : writers) {
      try (Connection c = lab.app(w)) {
        assertThat(query(c, "SELECT @@port")).as("writer frontend " + w).isEqualTo(primaryPort);
        assertThat(query(c, "SELECT @@read_only")).isEqualTo("0");
      }
    }
    Set<String> seen = new HashSet<>();
    for (String r : readers) {
      for (int i = 0; i < 4; i++) {
        try (Connection c = lab.app(r)) {
          String port = query(c, "SELECT @@port");
          assertThat(replicaPorts).as("reader frontend " + r + " reached port " + port).contains(port);
          seen.add(port);
        }
      }
    }
    assertThat(seen).as("the reader backends balance over the replicas").isEqualTo(replicaPorts);
  }

  @Test
  void ptHeartbeatLagIsReadableOnEveryReplica() throws Exception {
    var cluster = clients().cluster("c1");
    Path defaults = Path.of(cluster.heartbeat().runDir(), "heartbeat.cnf");
    long primaryServerId;
    try (Connection c = clients().admin(primary())) {
      primaryServerId = Long.parseLong(query(c, "SELECT @@server_id"));
    }
    for (String r : replicas()) {
      assertThat(HeartbeatProcesses.running(cluster.heartbeat(), r)).as("pt-heartbeat process of " + r)
          .hasValueSatisfying(run -> assertThat(run.primary()).isEqualTo(primary()));
      int colon = r.lastIndexOf(':');
      Process p = new ProcessBuilder("pt-heartbeat", "--defaults-file=" + defaults, "--host", r.substring(0, colon),
          "--port", r.substring(colon + 1), "--database", "percona", "--table", "heartbeat", "--check", "--utc",
          "--master-server-id", Long.toString(primaryServerId)).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(out).isZero();
      double lag = Double.parseDouble(out);
      assertThat(lag).as("lag of " + r).isBetween(0.0, 5.0);
    }
  }

  @Test
  void theKvKeysNameThePrimary() throws Exception {
    String endpoint = LAB.info().config().kv().endpoints().get(0);
    try (Client client = Client.builder().endpoints(endpoint).build()) {
      var kv = client.getKVClient();
      String host = primary().substring(0, primary().lastIndexOf(':'));
      String port = primary().substring(primary().lastIndexOf(':') + 1);
      assertThat(get(kv, "mysql/master/c1")).isEqualTo(primary());
      assertThat(get(kv, "mysql/master/c1/hostname")).isEqualTo(host);
      assertThat(get(kv, "mysql/master/c1/port")).isEqualTo(port);
      assertThat(get(kv, "mysql/master/c1/ipv4")).isEqualTo(host);
      assertThat(get(kv, "mysql/epoch/c1")).isEqualTo("1");
      for (String r : replicas()) {
        assertThat(get(kv, "mysql/replicas/c1/" + r)).isEqualTo(r);
      }
    }
    try (EtcdTopologyStore store = new EtcdTopologyStore(List.of(endpoint))) {
      TopologyRecord rec = store.read("c1").orElseThrow();
      assertThat(rec.replicas()).containsExactlyInAnyOrderElementsOf(replicas());
    }
  }

  private static String get(io.etcd.jetcd.KV kv, String key) throws Exception {
    var kvs = kv.get(ByteSequence.from(key, StandardCharsets.UTF_8)).get(5, TimeUnit.SECONDS).getKvs();
    return kvs.isEmpty() ? null : kvs.get(0).getValue().toString(StandardCharsets.UTF_8);
  }

  @WorkflowInterface
  public interface EchoWorkflow {
    @WorkflowMethod
    String echo(String text);
  }

  public static class EchoWorkflowImpl implements EchoWorkflow {
    @Override
    public String echo(String text) {
      return "echo: " + text;
    }
  }

  @Test
  void theTemporalServerRunsAWorkflowAndItsWebUiAnswers() throws Exception {
    var temporal = LAB.info().config().temporal();
    WorkflowServiceStubs service = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(temporal.target()).build());
    try {
      WorkflowClient client = WorkflowClient.newInstance(service,
          WorkflowClientOptions.newBuilder().setNamespace(temporal.namespace()).build());
      WorkerFactory factory = WorkerFactory.newInstance(client);
      Worker worker = factory.newWorker("lab-it");
      worker.registerWorkflowImplementationTypes(EchoWorkflowImpl.class);
      factory.start();
      EchoWorkflow wf = client.newWorkflowStub(EchoWorkflow.class,
          WorkflowOptions.newBuilder().setTaskQueue("lab-it").setWorkflowId("lab-it-echo").build());
      assertThat(wf.echo("lab")).isEqualTo("echo: lab");
      factory.shutdownNow();
    } finally {
      service.shutdownNow();
    }
    HttpResponse<String> ui = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(temporal.webUi())).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(ui.statusCode()).isEqualTo(200);
  }

  @Test
  void aStoppedReplicaIsReportedAndItsRestartHeals() throws Exception {
    String r = replicas().get(1);
    try (Connection c = clients().admin(r); Statement st = c.createStatement()) {
      st.execute("STOP SLAVE");
      ClusterStatus broken = StatusReport.read(LAB.info().config()).clusters().get(0);
      assertThat(broken.problems()).anySatisfy(p -> assertThat(p).contains(r).contains("threads"));
      st.execute("START SLAVE");
    }
    Lab.waitUntil(() -> StatusReport.read(LAB.info().config()).clusters().get(0).healthy(), 10_000,
        "the cluster to be healthy again");
  }

  /**
   * Lab.stopEtcd / startEtcd: a KV outage and its end. The topology survives, and a client opened before
   * the outage (as a worker's is) reads again soon after; how soon is printed.
   */
  @Test
  void etcdStoppedAndStartedAgainKeepsTheTopologyForAClientOpenedBefore() throws Exception {
    List<String> endpoints = LAB.info().config().kv().endpoints();
    int port = Integer.parseInt(endpoints.get(0).substring(endpoints.get(0).lastIndexOf(':') + 1));
    try (EtcdTopologyStore store = new EtcdTopologyStore(endpoints)) {
      TopologyRecord before = store.read("c1").orElseThrow();
      Lab.stopEtcd(LAB.info());
      try {
        assertThat(Ports.listening("127.0.0.1", port)).as("etcd stopped").isFalse();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.read("c1"))
            .isInstanceOf(dev.handoff.kv.TopologyStore.KvException.class);
      } finally {
        Lab.startEtcd(LAB.info());
      }
      long t0 = System.nanoTime();
      Lab.waitUntil(() -> {
        try {
          return store.read("c1").equals(java.util.Optional.of(before));
        } catch (dev.handoff.kv.TopologyStore.KvException notYet) {
          return false;
        }
      }, 30_000, "the open etcd client to read the same topology again");
      System.out.printf("etcd back: the client opened before the outage read again after %.1f s%n",
          (System.nanoTime() - t0) / 1e9);
    }
    Lab.waitUntil(() -> StatusReport.read(LAB.info().config()).clusters().get(0).healthy(), 10_000,
        "the cluster to be healthy with etcd back");
  }

  /** Lab.replicate: a replica whose replication config was removed replicates again by GTID. */
  @Test
  void aReplicaWithItsReplicationResetReplicatesAgain() throws Exception {
    String r = replicas().get(0);
    try (Connection c = clients().admin(r); Statement st = c.createStatement()) {
      st.execute("STOP SLAVE");
      st.execute("RESET SLAVE ALL");
    }
    Lab.replicate(LAB.info(), "c1", r, primary());
    Lab.waitUntil(() -> StatusReport.read(LAB.info().config()).clusters().get(0).healthy(), 10_000,
        "the cluster to be healthy again (replicating from the primary by GTID, both threads running)");
  }
}
