package dev.handoff.lab;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.handoff.config.ClusterSettings;
import dev.handoff.config.ConfigFiles;
import dev.handoff.config.Credential;
import dev.handoff.config.Credentials;
import dev.handoff.config.HandoffConfig;
import dev.handoff.config.HaproxySettings;
import dev.handoff.config.HeartbeatSettings;
import dev.handoff.config.InstanceSettings;
import dev.handoff.config.KvSettings;
import dev.handoff.config.SecretRef;
import dev.handoff.config.TemporalSettings;
import dev.handoff.config.WorkerSettings;
import dev.handoff.heartbeat.HeartbeatProcesses;
import dev.handoff.kv.EtcdTopologyStore;
import dev.handoff.kv.TopologyStore;
import dev.handoff.process.LocalProcess;
import dev.handoff.support.Secrets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The local lab: real MariaDB replication, two tiers of HAProxy, pt-heartbeat, etcd and a Temporal dev
 * server on loopback, every process recorded under the lab dir so that {@code down} stops exactly those.
 */
public final class Lab {
  public static final String MARKER = "lab.json";
  public static final String CONFIG = "handoff.yml";
  public static final String APP_DATABASE = "app";
  /** A restartable part's command line, beside its data, so a restart runs exactly what the lab ran. */
  private static final String COMMAND = "command.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private Lab() {}

  /** Starts a lab; on any failure everything it started is stopped again before the error is thrown. */
  public static LabInfo up(LabSpec spec, Consumer<String> progress) {
    long t0 = System.nanoTime();
    checkBinaries();
    prepareDir(spec.dir());
    try {
      LabInfo info = start(spec, progress, t0);
      progress.accept(String.format("lab up: %d cluster(s) x %d instances ready in %.1f s",
          spec.clusters(), spec.replicas() + 1, info.startSeconds()));
      return info;
    } catch (RuntimeException e) {
      progress.accept("lab up failed: " + e.getMessage());
      progress.accept("stopping what was started");
      stopAll(spec.dir(), progress);
      throw e;
    }
  }

  private static void checkBinaries() {
    for (Binaries b : Binaries.values()) {
      b.path();
    }
    Binaries.temporal();
  }

  private static void prepareDir(Path dir) {
    try {
      if (Files.exists(dir)) {
        if (!Files.isDirectory(dir)) {
          throw new LabException(dir + " exists and is not a directory; choose another --dir");
        }
        boolean empty;
        try (Stream<Path> s = Files.list(dir)) {
          empty = s.findAny().isEmpty();
        }
        if (!empty) {
          if (!Files.exists(dir.resolve(MARKER))) {
            throw new LabException(dir + " exists and is not a Handoff lab (no " + MARKER
                + "); refusing to touch it: choose another --dir");
          }
          List<LocalProcess> running = processes(dir).stream().filter(LocalProcess::alive).toList();
          if (!running.isEmpty()) {
            throw new LabException("a lab is already running in " + dir + " (" + running.size()
                + " processes, e.g. " + running.get(0).name() + " pid " + running.get(0).pid()
                + "); run ./handoff lab down --dir " + dir + " first");
          }
          deleteTree(dir);
        }
      }
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(MARKER), JSON.writeValueAsString(Map.of(
          "kind", "handoff-lab", "created", Instant.now().toString())));
    } catch (IOException e) {
      throw new LabException("cannot prepare lab dir " + dir + ": " + e.getMessage(), e);
    }
  }

  private static LabInfo start(LabSpec spec, Consumer<String> progress, long t0) {
    Path dir = spec.dir();
    Iterator<Integer> ports = Ports.allocate(spec.portCount(), spec.basePort()).iterator();
    Credentials creds = writeSecrets(dir.resolve("secrets"));

    // Temporal takes longest to start: start it first, check it last.
    int temporalPort = ports.next();
    int uiPort = ports.next();
    int httpPort = ports.next();
    int metricsPort = ports.next();
    int alertsPort = ports.next();
    Path temporalDir = mkdirs(dir.resolve("temporal"));
    List<String> temporalCommand = List.of(Binaries.temporal().toString(),
        "server", "start-dev", "--db-filename", temporalDir.resolve("temporal.db").toString(),
        "--ip", "127.0.0.1", "--port", Integer.toString(temporalPort), "--ui-port", Integer.toString(uiPort),
        "--http-port", Integer.toString(httpPort), "--metrics-port", Integer.toString(metricsPort),
        "--log-level", "warn");
    writeCommand(temporalDir, temporalCommand);
    LocalProcess temporal = record(dir, LocalProcess.spawn("temporal", temporalCommand,
        temporalDir.resolve("temporal.log"), temporalDir));

    int etcdPort = ports.next();
    String etcdUrl = EtcdLab.url(etcdPort);
    LocalProcess etcd = record(dir, EtcdLab.start(dir.resolve("etcd"), etcdPort, ports.next()));

    progress.accept("starting MariaDB: " + spec.clusters() + " cluster(s) of " + (spec.replicas() + 1));
    Path template = MariaDbLab.template();
    Map<String, List<Integer>> clusterPorts = new LinkedHashMap<>();
    Map<String, Path> datadirs = new LinkedHashMap<>();
    Map<String, LocalProcess> dbProcs = new LinkedHashMap<>();
    int serverId = 1;
    for (String c : spec.clusterNames()) {
      List<Integer> ps = new ArrayList<>();
      for (int i = 0; i <= spec.replicas(); i++) {
        int port = ports.next();
        ps.add(port);
        Path datadir = dir.resolve("mysql").resolve(c).resolve(Integer.toString(port));
        mkdirs(datadir.getParent());
        MariaDbLab.copyTemplate(template, datadir);
        String key = "127.0.0.1:" + port;
        datadirs.put(key, datadir);
        dbProcs.put(key, record(dir, MariaDbLab.start("mariadb-" + c + "-" + port, datadir, port, serverId++,
            i == 0, datadir.getParent().resolve(port + ".out"))));
      }
      clusterPorts.put(c, ps);
    }
    dbProcs.forEach((key, p) -> MariaDbLab.waitReady(p, datadirs.get(key), port(key), 30_000));

    progress.accept("setting up GTID replication with semi-sync");
    for (var e : clusterPorts.entrySet()) {
      setUpReplication(e.getKey(), e.getValue(), datadirs, creds);
    }

    progress.accept("starting pt-heartbeat on every replica");
    Map<String, HeartbeatSettings> heartbeats = new LinkedHashMap<>();
    for (var e : clusterPorts.entrySet()) {
      Path runDir = mkdirs(dir.resolve("heartbeat").resolve(e.getKey()));
      HeartbeatSettings hb = new HeartbeatSettings("percona", "heartbeat", 0.5, runDir.toString());
      heartbeats.put(e.getKey(), hb);
      List<Integer> ps = e.getValue();
      for (int replica : ps.subList(1, ps.size())) {
        HeartbeatProcesses.start(hb, "127.0.0.1:" + replica, "127.0.0.1:" + ps.get(0), creds.heartbeat());
      }
    }

    progress.accept("starting HAProxy: 2 remote, 1 local");
    List<HaproxySettings> haproxies = new ArrayList<>();
    Map<String, Map<String, int[]>> remotePorts = new LinkedHashMap<>();
    for (String remote : List.of("remote1", "remote2")) {
      Path hdir = dir.resolve("haproxy").resolve(remote);
      List<HaproxyLab.ClusterRoute> routes = new ArrayList<>();
      Map<String, HaproxySettings.Frontends> fronts = new LinkedHashMap<>();
      for (var e : clusterPorts.entrySet()) {
        int w = ports.next();
        int r = ports.next();
        List<Integer> ps = e.getValue();
        routes.add(new HaproxyLab.ClusterRoute(e.getKey(), "127.0.0.1:" + ps.get(0),
            ps.subList(1, ps.size()).stream().map(p -> "127.0.0.1:" + p).toList(), w, r));
        fronts.put(e.getKey(), new HaproxySettings.Frontends(w, r));
        remotePorts.computeIfAbsent(e.getKey(), k -> new LinkedHashMap<>()).put(remote, new int[] {w, r});
      }
      LocalProcess p = record(dir, HaproxyLab.start("haproxy-" + remote, hdir,
          HaproxyLab.remoteConfig(HaproxyLab.adminSocket(hdir), routes), hdir.resolve("haproxy.log")));
      HaproxyLab.waitReady(p, hdir, 10_000);
      haproxies.add(new HaproxySettings(remote, HaproxySettings.REMOTE, HaproxyLab.adminSocket(hdir).toString(),
          HaproxyLab.masterSocket(hdir).toString(), hdir.resolve("haproxy.cfg").toString(), fronts));
    }
    Path ldir = dir.resolve("haproxy").resolve("local");
    List<HaproxyLab.LocalRoute> localRoutes = new ArrayList<>();
    Map<String, HaproxySettings.Frontends> localFronts = new LinkedHashMap<>();
    for (String c : clusterPorts.keySet()) {
      int w = ports.next();
      int r = ports.next();
      localRoutes.add(new HaproxyLab.LocalRoute(c, w, r, remotePorts.get(c)));
      localFronts.put(c, new HaproxySettings.Frontends(w, r));
    }
    LocalProcess local = record(dir, HaproxyLab.start("haproxy-local", ldir,
        HaproxyLab.localConfig(HaproxyLab.adminSocket(ldir), localRoutes), ldir.resolve("haproxy.log")));
    HaproxyLab.waitReady(local, ldir, 10_000);
    haproxies.add(new HaproxySettings("local", HaproxySettings.LOCAL, HaproxyLab.adminSocket(ldir).toString(),
        HaproxyLab.masterSocket(ldir).toString(), ldir.resolve("haproxy.cfg").toString(), localFronts));

    progress.accept("publishing the topology to etcd");
    EtcdLab.waitReady(etcd, etcdPort, 20_000);
    try (TopologyStore store = new EtcdTopologyStore(List.of(etcdUrl))) {
      for (var e : clusterPorts.entrySet()) {
        List<Integer> ps = e.getValue();
        publishRetrying(store, e.getKey(), "127.0.0.1:" + ps.get(0),
            ps.subList(1, ps.size()).stream().map(p -> "127.0.0.1:" + p).toList());
      }
    } catch (TopologyStore.KvException e) {
      throw new LabException("cannot publish the lab topology to etcd: " + e.getMessage(), e);
    }

    String webUi = "http://127.0.0.1:" + uiPort;
    progress.accept("waiting for the Temporal server");
    waitFor(temporal, () -> Ports.listening("127.0.0.1", temporalPort) && httpOk(webUi), 60_000,
        "Temporal on 127.0.0.1:" + temporalPort + " and its Web UI " + webUi);

    List<ClusterSettings> clusters = new ArrayList<>();
    for (var e : clusterPorts.entrySet()) {
      clusters.add(new ClusterSettings(e.getKey(), "mariadb",
          e.getValue().stream().map(p -> new InstanceSettings("127.0.0.1", p, "neutral")).toList(),
          null, null, heartbeats.get(e.getKey()), null));
    }
    HandoffConfig config = new HandoffConfig(
        new TemporalSettings("127.0.0.1:" + temporalPort, "default", "handoff", webUi),
        new KvSettings("etcd", List.of(etcdUrl), null), creds, haproxies, clusters,
        new WorkerSettings(null, "127.0.0.1:" + alertsPort, secret(dir.resolve("secrets"), "alerts-token"), true,
            null));
    var problems = config.problems();
    if (!problems.isEmpty()) {
      throw new LabException("internal: the lab built an invalid config: " + problems);
    }
    Path configFile = dir.resolve(CONFIG);
    try {
      ConfigFiles.write(config, configFile);
    } catch (IOException e) {
      throw new LabException("cannot write " + configFile + ": " + e.getMessage(), e);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    return new LabInfo(dir, configFile, config, seconds);
  }

  private static void setUpReplication(String cluster, List<Integer> ports, Map<String, Path> datadirs,
      Credentials creds) {
    Path primary = datadirs.get("127.0.0.1:" + ports.get(0));
    MariaDbLab.sql(primary, String.join("\n",
        createUser(creds.admin(), "ALL PRIVILEGES ON *.*", true),
        createUser(creds.replication(), "REPLICATION SLAVE, SLAVE MONITOR ON *.*", false),
        createUser(creds.heartbeat(), "REPLICATION CLIENT, SLAVE MONITOR, BINLOG MONITOR ON *.*", false),
        "GRANT SELECT, INSERT, UPDATE, DELETE, CREATE ON percona.* TO " + user(creds.heartbeat()) + ";",
        // The application user gets DML (and table DDL) on its own schema only, so read_only binds it.
        createUser(creds.application(),
            "SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, INDEX, ALTER ON " + APP_DATABASE + ".*", false),
        "CREATE DATABASE IF NOT EXISTS " + APP_DATABASE + ";",
        "CREATE DATABASE IF NOT EXISTS percona;",
        "CREATE TABLE IF NOT EXISTS percona.heartbeat (ts varchar(26) NOT NULL,"
            + " server_id int unsigned NOT NULL PRIMARY KEY, file varchar(255) DEFAULT NULL,"
            + " position bigint unsigned DEFAULT NULL, relay_master_log_file varchar(255) DEFAULT NULL,"
            + " exec_master_log_pos bigint unsigned DEFAULT NULL);",
        // The primary's row exists before its pt-heartbeat processes start: two of them starting at once
        // would both insert it, and the loser dies on the duplicate key.
        "INSERT IGNORE INTO percona.heartbeat (ts, server_id) VALUES (UTC_TIMESTAMP(6), @@server_id);"));
    String change = dev.handoff.mysql.FlavorSql.MARIADB.changeSource("127.0.0.1", ports.get(0),
        creds.replication().user(), Secrets.resolve(creds.replication().password()), MariaDbLab.REPLICA_HEARTBEAT_SECONDS);
    for (int replica : ports.subList(1, ports.size())) {
      MariaDbLab.sql(datadirs.get("127.0.0.1:" + replica), change + ";\nSTART SLAVE;");
    }
    String position = MariaDbLab.sql(primary, "SELECT @@gtid_binlog_pos;").strip();
    for (int replica : ports.subList(1, ports.size())) {
      String waited = MariaDbLab.sql(datadirs.get("127.0.0.1:" + replica),
          dev.handoff.mysql.FlavorSql.MARIADB.waitForGtid(position, 20) + ";").strip();
      if (!waited.equals("0")) {
        throw new LabException("replica 127.0.0.1:" + replica + " of " + cluster + " did not reach the primary's"
            + " GTID position " + position + " within 20 s; see its error log under " + datadirs.get("127.0.0.1:" + replica));
      }
    }
    MariaDbLab.sql(primary, "SET GLOBAL rpl_semi_sync_master_enabled = 1;");
    int expected = ports.size() - 1;
    waitUntil(() -> MariaDbLab.sql(primary, "SHOW STATUS LIKE 'Rpl_semi_sync_master_clients'")
        .trim().endsWith("\t" + expected), 10_000, expected + " semi-sync replicas on the primary of " + cluster);
  }

  private static String user(Credential c) {
    return "'" + c.user() + "'@'%'";
  }

  private static String createUser(Credential c, String grant, boolean grantOption) {
    String pw = dev.handoff.mysql.FlavorSql.quote(Secrets.resolve(c.password()));
    return "CREATE USER " + user(c) + " IDENTIFIED BY " + pw + ";\nGRANT " + grant + " TO " + user(c)
        + (grantOption ? " WITH GRANT OPTION" : "") + ";";
  }

  private static Credentials writeSecrets(Path dir) {
    mkdirs(dir);
    return new Credentials(
        new Credential("handoff_admin", secret(dir, "admin")),
        new Credential("handoff_repl", secret(dir, "replication")),
        new Credential("handoff_heartbeat", secret(dir, "heartbeat")),
        new Credential("handoff_app", secret(dir, "application")));
  }

  private static SecretRef secret(Path dir, String name) {
    SecureRandom rnd = new SecureRandom();
    String alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 24; i++) {
      b.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
    }
    Path f = dir.resolve(name + ".password");
    try {
      Files.writeString(f, b.toString());
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    } catch (IOException e) {
      throw new LabException("cannot write secret file " + f + ": " + e.getMessage(), e);
    }
    return SecretRef.ofFile(f);
  }

  /**
   * Stops the lab's Temporal server and starts it again on the same SQLite file and ports, as an
   * operator restarting it would; returns once it accepts connections and its Web UI answers.
   */
  public static void restartTemporal(LabInfo info) {
    Path dir = info.dir();
    Path temporalDir = dir.resolve("temporal");
    List<String> command = readCommand(temporalDir, "Temporal");
    LocalProcess old = recorded(dir, "temporal");
    if (!old.stop(15_000)) {
      throw new LabException("Temporal (pid " + old.pid() + ") did not stop");
    }
    LocalProcess temporal = record(dir, LocalProcess.spawn("temporal", command, temporalDir.resolve("temporal.log"),
        temporalDir));
    String target = info.config().temporal().target();
    int port = port(target);
    waitFor(temporal, () -> Ports.listening("127.0.0.1", port) && httpOk(info.config().temporal().webUi()), 60_000,
        "Temporal to come back on " + target);
  }

  /**
   * The lab's first publish, retried for up to 20 s: a fresh etcd client's first call loads and connects
   * gRPC, which on a loaded machine can outlast the store's 2 s read timeout. A publish at epoch 0 is
   * idempotent, so a retry after one that committed finds it done.
   */
  private static void publishRetrying(TopologyStore store, String cluster, String primary, List<String> replicas)
      throws TopologyStore.KvException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (true) {
      try {
        store.publish(cluster, primary, replicas, 0);
        return;
      } catch (TopologyStore.StaleEpochException e) {
        throw e;
      } catch (TopologyStore.KvException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
      }
    }
  }

  /**
   * Stops the lab's etcd (its recorded process, by pid and start time; nothing else) as a KV outage
   * would; returns once it is gone. {@link #startEtcd} brings it back with its data.
   */
  public static void stopEtcd(LabInfo info) {
    LocalProcess etcd = recorded(info.dir(), "etcd");
    if (!etcd.stop(15_000)) {
      throw new LabException("etcd (pid " + etcd.pid() + ") did not stop");
    }
  }

  /**
   * Starts the lab's etcd again with the command and data dir it first ran with (the topology survives);
   * returns once its health endpoint answers. Does nothing when the recorded etcd still runs.
   */
  public static void startEtcd(LabInfo info) {
    Path dir = info.dir();
    if (recorded(dir, "etcd").alive()) {
      return;
    }
    Path etcdDir = dir.resolve("etcd");
    List<String> command = readCommand(etcdDir, "etcd");
    LocalProcess etcd = record(dir, LocalProcess.spawn("etcd", command, etcdDir.resolve("etcd.log"), etcdDir));
    String url = info.config().kv().endpoints().get(0);
    waitFor(etcd, () -> httpOk(url + "/health"), 20_000, "etcd to come back at " + url);
  }

  /**
   * Makes {@code replica} replicate from {@code primary} by GTID the way the lab first set it up (same
   * user, heartbeat period, retry), and starts both threads. Runs through the replica's socket as the OS
   * user, the password on stdin only.
   */
  public static void replicate(LabInfo info, String cluster, String replica, String primary) {
    Credential repl = info.config().credentials().replication();
    dev.handoff.domain.InstanceKey p = dev.handoff.domain.InstanceKey.parse(primary);
    String change = dev.handoff.mysql.FlavorSql.MARIADB.changeSource(p.host(), p.port(), repl.user(),
        Secrets.resolve(repl.password()), MariaDbLab.REPLICA_HEARTBEAT_SECONDS);
    MariaDbLab.sql(datadir(info, cluster, replica), "STOP SLAVE;\n" + change + ";\nSTART SLAVE;");
  }

  private static Path datadir(LabInfo info, String cluster, String instanceKey) {
    Path d = info.dir().resolve("mysql").resolve(cluster).resolve(Integer.toString(port(instanceKey)));
    if (!Files.isDirectory(d)) {
      throw new LabException("no instance " + instanceKey + " of " + cluster + " in the lab at " + info.dir());
    }
    return d;
  }

  private static LocalProcess recorded(Path dir, String name) {
    return processes(dir).stream().filter(p -> p.name().equals(name)).findFirst()
        .orElseThrow(() -> new LabException("no " + name + " process recorded in " + dir));
  }

  static void writeCommand(Path partDir, List<String> command) {
    Path f = partDir.resolve(COMMAND);
    try {
      Files.writeString(f, JSON.writeValueAsString(command));
    } catch (IOException e) {
      throw new LabException("cannot write " + f + ": " + e.getMessage(), e);
    }
  }

  private static List<String> readCommand(Path partDir, String what) {
    try {
      return List.of(JSON.readValue(Files.readString(partDir.resolve(COMMAND)), String[].class));
    } catch (IOException e) {
      throw new LabException("cannot read the " + what + " command under " + partDir + " (a lab started by an"
          + " older Handoff has none: start a new lab): " + e.getMessage(), e);
    }
  }

  /** Stops every process this lab recorded, then removes the dir unless {@code keep}. */
  public static void down(Path dir, boolean keep, Consumer<String> progress) {
    Path d = dir.toAbsolutePath().normalize();
    if (!Files.isDirectory(d)) {
      throw new LabException("no lab at " + d + " (no such directory)");
    }
    if (!Files.exists(d.resolve(MARKER))) {
      throw new LabException(d + " is not a Handoff lab (no " + MARKER + "); nothing was stopped");
    }
    List<LocalProcess> left = stopAll(d, progress);
    if (!left.isEmpty()) {
      throw new LabException("could not stop: " + left.stream().map(p -> p.name() + " pid " + p.pid()).toList());
    }
    if (!keep) {
      deleteTree(d);
      progress.accept("removed " + d);
    }
  }

  /** Stops every recorded process (Temporal last, so workers see a clean end); returns those still alive. */
  static List<LocalProcess> stopAll(Path dir, Consumer<String> progress) {
    List<LocalProcess> procs = processes(dir);
    procs.sort(Comparator.comparing(p -> p.name().equals("temporal") ? 1 : 0));
    List<LocalProcess> left = new ArrayList<>();
    // SIGTERM to every part at once, so their shutdowns overlap: the slowest, not the sum, bounds the stop.
    procs.stream().filter(p -> !p.name().equals("temporal") && p.alive())
        .forEach(p -> ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroy));
    procs.parallelStream().filter(p -> !p.name().equals("temporal")).forEach(p -> {
      if (!p.stop(10_000)) {
        synchronized (left) {
          left.add(p);
        }
      }
    });
    procs.stream().filter(p -> p.name().equals("temporal")).forEach(p -> {
      if (!p.stop(10_000)) {
        left.add(p);
      }
    });
    progress.accept("stopped " + (procs.size() - left.size()) + " of " + procs.size() + " lab processes");
    return left;
  }

  /** Every process recorded under the lab dir (lab parts and pt-heartbeat restarts alike). */
  public static List<LocalProcess> processes(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      return new ArrayList<>(s.filter(p -> p.getFileName().toString().endsWith(LocalProcess.RECORD_SUFFIX))
          .map(LocalProcess::load).toList());
    } catch (IOException | UncheckedIOException e) {
      throw new LabException("cannot list the processes of " + dir + ": " + e.getMessage(), e);
    }
  }

  private static LocalProcess record(Path dir, LocalProcess p) {
    p.save(mkdirs(dir.resolve("run")).resolve(p.name() + LocalProcess.RECORD_SUFFIX));
    return p;
  }

  static Path mkdirs(Path p) {
    try {
      return Files.createDirectories(p);
    } catch (IOException e) {
      throw new LabException("cannot create " + p + ": " + e.getMessage(), e);
    }
  }

  private static int port(String key) {
    return Integer.parseInt(key.substring(key.lastIndexOf(':') + 1));
  }

  static boolean httpOk(String url) {
    try {
      HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
      HttpResponse<Void> r = c.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.discarding());
      return r.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  static void waitFor(LocalProcess p, java.util.function.BooleanSupplier ready, long millis, String what) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (System.nanoTime() < deadline) {
      if (!p.alive()) {
        throw new LabException(p.name() + " exited during start:\n" + p.logTail(20));
      }
      if (ready.getAsBoolean()) {
        return;
      }
      LocalProcess.sleep(100);
    }
    throw new LabException("timed out after " + millis + " ms waiting for " + what + ":\n" + p.logTail(20));
  }

  public static void waitUntil(java.util.function.BooleanSupplier ready, long millis, String what) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (System.nanoTime() < deadline) {
      if (ready.getAsBoolean()) {
        return;
      }
      LocalProcess.sleep(50);
    }
    throw new LabException("timed out after " + millis + " ms waiting for " + what);
  }

  static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new LabException("cannot remove " + dir + ": " + e.getMessage(), e);
    }
  }
}
