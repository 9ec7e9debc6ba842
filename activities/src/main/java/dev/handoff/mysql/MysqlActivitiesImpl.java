package dev.handoff.mysql;

import dev.handoff.support.Secrets;
import dev.handoff.mysql.MysqlActivities.CatchUp;
import dev.handoff.mysql.MysqlActivities.InspectCluster;
import dev.handoff.mysql.MysqlActivities.InspectClusterExcept;
import dev.handoff.mysql.MysqlActivities.Inspection;
import dev.handoff.mysql.MysqlActivities.MoveReplica;
import dev.handoff.mysql.MysqlActivities.ReadOnlyResult;
import dev.handoff.mysql.MysqlActivities.Promote;
import dev.handoff.mysql.MysqlActivities.RejoinAsReplica;
import dev.handoff.mysql.MysqlActivities.ResumeReceiving;
import dev.handoff.mysql.MysqlActivities.SetReadOnly;
import dev.handoff.mysql.MysqlActivities.StopReceiving;
import dev.handoff.mysql.MysqlActivities.WaitForGtid;
import dev.handoff.domain.StepDone;
import dev.handoff.config.ClusterSettings;
import dev.handoff.config.Credential;
import dev.handoff.domain.FailureType;
import dev.handoff.domain.Flavor;
import dev.handoff.domain.GtidSet;
import dev.handoff.domain.InstanceKey;
import dev.handoff.domain.InstanceSnapshot;
import dev.handoff.domain.MariaDbGtidSet;
import dev.handoff.domain.PromotionRule;
import dev.handoff.domain.ReplicationStatus;
import dev.handoff.mysql.SnapshotReader.Purpose;
import dev.handoff.support.Failpoints;
import dev.handoff.support.Heartbeats;
import dev.handoff.support.Lookup;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The database steps of a runbook, over Connector/J with the admin credential. Each reads the state
 * first and returns early when its postcondition holds.
 */
public final class MysqlActivitiesImpl implements MysqlActivities {
  private static final int REPLICA_HEARTBEAT_SECONDS = 1;
  /** How long a stopping semi-sync replica waits to reach its source (its least: 0 is no limit). */
  static final long SEMI_SYNC_KILL_SECONDS = 1;
  /**
   * How long SET GLOBAL read_only = 1 may wait for locks. It holds every new write back while it waits, and a
   * commit in progress takes milliseconds: longer than this is a long DML or a table lock, not a commit.
   */
  static final int READ_ONLY_LOCK_WAIT_SECONDS = 5;
  /** ER_LOCK_WAIT_TIMEOUT, on MariaDB and MySQL alike. */
  private static final int ER_LOCK_WAIT_TIMEOUT = 1205;
  /** How long after making an instance writable the undo checks that it stayed writable. */
  private static final long STAYS_WRITABLE_MILLIS = 300;
  /** How long replication must keep running after it is first seen running to count as moved. */
  private static final long STABLE_MILLIS = 1000;
  /** The error of an instance {@link #inspectClusterExcept} did not connect to. */
  public static final String SKIPPED = "skipped: fenced by this runbook as dead, not connected to";

  private final Lookup lookup;
  private final SnapshotReader reader;

  public MysqlActivitiesImpl(Lookup lookup) {
    this.lookup = lookup;
    this.reader = new SnapshotReader(lookup);
  }

  @Override
  public Inspection inspectCluster(InspectCluster r) {
    return inspectClusterExcept(new InspectClusterExcept(r.cluster(), List.of()));
  }

  @Override
  public Inspection inspectClusterExcept(InspectClusterExcept request) {
    ClusterSettings c = lookup.cluster(request.cluster());
    for (InstanceKey k : request.skipped()) {
      lookup.instance(request.cluster(), k);
    }
    List<CompletableFuture<InstanceSnapshot>> all = c.instances().stream().map(i -> {
      InstanceKey key = new InstanceKey(i.host(), i.port());
      return request.skipped().contains(key)
          ? CompletableFuture.completedFuture(InstanceSnapshot.unreachable(key, PromotionRule.fromString(i.promotionRule()),
              SKIPPED))
          : CompletableFuture.supplyAsync(() -> reader.read(c, key, Purpose.INSPECT));
    }).toList();
    List<InstanceSnapshot> states = Heartbeats.joinAll(all);
    Failpoints.during();
    return new Inspection(states);
  }

  @Override
  public StepDone moveReplica(MoveReplica request) {
    lookup.instance(request.cluster(), request.replica());
    lookup.instance(request.cluster(), request.source());
    try (Connection r = connect(request.replica()); Connection s = connect(request.source())) {
      InstanceSnapshot before = SnapshotReader.self(r, request.replica());
      if (replicatesFrom(before, request.source())) {
        awaitRunning(r, request.replica(), request.source());
        return new StepDone(request.replica() + " already replicates from " + request.source() + " (stably)");
      }
      FlavorSql sql = FlavorSql.fromVersion(before.version());
      // The replica's position first, then the source's: a primary still writing (a rollback under load)
      // has by then everything the replica got from it, so only what it never had counts as extra.
      String replicaHad = gtidPosition(r, sql);
      InstanceSnapshot src = SnapshotReader.self(s, request.source());
      if (src.replication() == null) {
        // A primary gains transactions only by writing them: what the replica has beyond it never arrives.
        Flavor flavor = Flavor.fromVersion(before.version());
        GtidSet extra = GtidSet.parse(flavor, replicaHad).subtract(GtidSet.parse(flavor, src.gtidExecuted()));
        if (!extra.isEmpty()) {
          throw FailureType.ERRANT_GTID.nonRetryable(request.replica() + " has transactions " + extra + " that " + request.source()
              + " lacks and, being the primary, will never get: errant transactions (or ones the old primary"
              + " never passed on); it was not moved");
        }
      }
      stopReplication(r, sql, "stopping replication on " + request.replica());
      Failpoints.during();
      String position = gtidPosition(r, sql);
      awaitGtid(s, FlavorSql.fromVersion(src.version()), position, 30);
      pointAt(r, sql, request.source());
      awaitRunning(r, request.replica(), request.source());
      return new StepDone(request.replica() + " moved under " + request.source() + " at " + (position.isEmpty() ? "(empty)" : position)
          + ", replicating stably");
    } catch (SQLException e) {
      throw FailureType.INSTANCE_UNREACHABLE.failure("moving " + request.replica() + " under " + request.source() + ": " + e.getMessage());
    }
  }

  /**
   * Read-only: bounded by {@link #READ_ONLY_LOCK_WAIT_SECONDS} of lock wait (SET GLOBAL read_only = 1 waits
   * for running DML and LOCK TABLES, and holds every new write back while it waits), heartbeating meanwhile;
   * past it fails with the non-retryable {@code ReadOnlyBlocked}. Writable (an undo): first ends any earlier
   * attempt of read-only still waiting for a lock, which would otherwise land after this one and make the
   * instance read-only behind the runbook's back; then sets it writable and checks that it stays so.
   */
  @Override
  public ReadOnlyResult setReadOnly(SetReadOnly request) {
    String cluster = request.cluster();
    InstanceKey instance = request.instance();
    boolean readOnly = request.readOnly();
    lookup.instance(cluster, instance);
    try (Connection c = connect(instance)) {
      String ended = endQueuedReadOnly(c, instance);
      InstanceSnapshot r = SnapshotReader.self(c, instance);
      FlavorSql sql = FlavorSql.fromVersion(r.version());
      String did;
      if (r.readOnly() == readOnly) {
        did = instance + " was already " + (readOnly ? "read-only" : "writable");
      } else if (readOnly) {
        setReadOnlyBounded(c, sql, instance);
        did = instance + " set read-only";
      } else {
        for (String stmt : sql.setReadOnly(false)) {
          exec(c, stmt);
        }
        did = instance + " set writable";
      }
      if (!readOnly) {
        did += staysWritable(c, instance);
      }
      Failpoints.during();
      String position = gtidPosition(c, sql);
      Heartbeats.beat(did + ended);
      return new ReadOnlyResult(instance, readOnly, position, did + ended);
    } catch (SQLException e) {
      throw FailureType.INSTANCE_UNREACHABLE.failure("setting read_only=" + readOnly + " on " + instance + ": " + e.getMessage());
    }
  }

  /** SET GLOBAL read_only = 1 within the lock wait bound; a lock that outlasts it fails ReadOnlyBlocked. */
  private static void setReadOnlyBounded(Connection c, FlavorSql sql, InstanceKey instance) throws SQLException {
    exec(c, "SET SESSION lock_wait_timeout = " + READ_ONLY_LOCK_WAIT_SECONDS);
    try {
      for (String stmt : sql.setReadOnly(true)) {
        execBeating(c, stmt, "waiting up to " + READ_ONLY_LOCK_WAIT_SECONDS + " s for read_only = 1 on " + instance
            + ": it waits for running DML and table locks (LOCK TABLES) to end");
      }
    } catch (SQLException e) {
      if (e.getErrorCode() != ER_LOCK_WAIT_TIMEOUT) {
        throw e;
      }
      throw FailureType.READ_ONLY_BLOCKED.nonRetryable("read_only could not be set on " + instance + " within "
          + READ_ONLY_LOCK_WAIT_SECONDS + " s: a lock held by another session kept it waiting (" + running(c)
          + "); new writes waited behind it meanwhile. End the long DML, or the session holding LOCK TABLES, then"
          + " switch over again");
    }
  }

  /**
   * The longest statements running on the instance besides this session and replication, by their first two
   * words only (a statement's text may hold a secret), or a note that none runs (an idle session holds a lock).
   */
  private static String running(Connection c) throws SQLException {
    List<String> found = new java.util.ArrayList<>();
    try (Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT ID, USER, TIME, SUBSTRING_INDEX(INFO, ' ', 2) FROM"
             + " information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND COMMAND = 'Query'"
             + " AND INFO IS NOT NULL ORDER BY TIME DESC LIMIT 3")) {
      while (rs.next()) {
        found.add("session " + rs.getLong(1) + " of " + rs.getString(2) + " running " + rs.getString(4) + "... for "
            + rs.getLong(3) + " s");
      }
    }
    return found.isEmpty() ? "no statement is running: an idle session holds a table lock (LOCK TABLES ... WRITE)"
        : String.join(", ", found);
  }

  /**
   * Ends (KILL CONNECTION) every other session running Handoff's own SET GLOBAL read_only = 1, and waits
   * (at most 5 s) until they are gone; returns what it ended, for the step's report.
   */
  private static String endQueuedReadOnly(Connection c, InstanceKey instance) throws SQLException {
    List<Long> queued = queuedReadOnly(c);
    if (queued.isEmpty()) {
      return "";
    }
    for (long id : queued) {
      try {
        exec(c, "KILL CONNECTION " + id);
      } catch (SQLException gone) {
        // ended by itself meanwhile (its lock wait timed out): nothing left to end
      }
    }
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (queuedReadOnly(c).stream().anyMatch(queued::contains)) {
      if (System.nanoTime() > deadline) {
        throw FailureType.READ_ONLY_BLOCKED.failure("the earlier read_only = 1 attempts " + queued + " on " + instance
            + " were killed but have not ended within 5 s");
      }
      Heartbeats.beat("waiting for the killed read_only = 1 attempts " + queued + " on " + instance + " to end");
      sleep(50);
    }
    return "; ended earlier read_only = 1 attempts still waiting for a lock (sessions " + queued + ")";
  }

  private static List<Long> queuedReadOnly(Connection c) throws SQLException {
    List<Long> ids = new java.util.ArrayList<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(FlavorSql.SELECT_QUEUED_READ_ONLY)) {
      while (rs.next()) {
        ids.add(rs.getLong(1));
      }
    }
    return ids;
  }

  /**
   * The undo's postcondition, checked after any earlier attempt could have landed: with every queued
   * read_only = 1 ended, the instance is still writable a moment later and none is queued again.
   */
  private static String staysWritable(Connection c, InstanceKey instance) throws SQLException {
    sleep(STAYS_WRITABLE_MILLIS);
    List<Long> queued = queuedReadOnly(c);
    if (!queued.isEmpty() || "1".equals(scalar(c, "SELECT @@global.read_only"))) {
      throw FailureType.READ_ONLY_BLOCKED.failure(instance + " did not stay writable: " + (queued.isEmpty()
          ? "read_only is 1 again" : "read_only = 1 is queued again (sessions " + queued + ")"));
    }
    return ", still writable " + STAYS_WRITABLE_MILLIS + " ms later with no read_only = 1 queued";
  }

  @Override
  public StepDone waitForGtid(WaitForGtid request) {
    lookup.instance(request.cluster(), request.instance());
    try (Connection c = connect(request.instance())) {
      FlavorSql sql = FlavorSql.fromVersion(SnapshotReader.self(c, request.instance()).version());
      Failpoints.during();
      long millis = awaitGtid(c, sql, request.gtid(), request.timeoutSeconds());
      return new StepDone(request.instance() + " executed " + (request.gtid().isEmpty() ? "(empty)" : request.gtid()) + " after " + millis + " ms");
    } catch (SQLException e) {
      throw FailureType.INSTANCE_UNREACHABLE.failure("waiting on " + request.instance() + ": " + e.getMessage());
    }
  }

  @Override
  public StepDone catchUp(CatchUp request) {
    lookup.instance(request.cluster(), request.instance());
    try (Connection c = connect(request.instance())) {
      InstanceSnapshot r = SnapshotReader.self(c, request.instance());
      ReplicationStatus repl = r.replication();
      FlavorSql sql = FlavorSql.fromVersion(r.version());
      Flavor flavor = Flavor.fromVersion(r.version());
      GtidSet target = GtidSet.parse(flavor, request.gtid());
      String started = "";
      if (repl != null && !repl.sqlThreadRunning() && !GtidSet.parse(flavor, r.gtidExecuted()).contains(target)) {
        // Its relay log may hold the last acknowledged writes: nothing applies them while the thread is stopped.
        exec(c, sql.startReplica + " SQL_THREAD");
        started = "started its stopped SQL thread" + (repl.lastSqlError().isBlank() ? "" : " (it had stopped on: "
            + repl.lastSqlError().strip() + ")") + ", ";
      }
      Failpoints.during();
      long t0 = System.nanoTime();
      long lastAdvance = t0;
      long best = -1;
      while (true) {
        GtidSet has = GtidSet.parse(flavor, gtidPosition(c, sql));
        String progress = "executed " + executedOf(target, has) + " of " + target.transactionCount()
            + " transactions (has " + orEmpty(has.toString()) + ", target " + orEmpty(request.gtid()) + ")";
        if (has.contains(target)) {
          return new StepDone(request.instance() + " " + started + progress + " after " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        }
        long now = System.nanoTime();
        if (has.transactionCount() > best) {
          best = has.transactionCount();
          lastAdvance = now;
        }
        SqlThread t = sqlThread(c, sql);
        if (t.replica() && !t.running() && t.errno() != 0) {
          throw FailureType.CATCH_UP_TIMEOUT.nonRetryable(request.instance() + " cannot catch up: SQL thread stopped: error "
              + t.errno() + ": " + t.error().strip() + "; " + progress);
        }
        if (now - lastAdvance > request.stallSeconds() * 1_000_000_000L) {
          String why = !t.replica() ? "it replicates from nothing"
              : !t.running() ? "SQL thread stopped"
              : "SQL thread running but nothing executed";
          throw FailureType.CATCH_UP_TIMEOUT.nonRetryable(request.instance() + " cannot catch up: " + why + "; its executed"
              + " position did not advance for " + request.stallSeconds() + " s; " + progress);
        }
        Heartbeats.beat(progress);
        scalar(c, sql.waitForGtid(request.gtid(), 1));
      }
    } catch (SQLException e) {
      throw FailureType.INSTANCE_UNREACHABLE.failure("catching up on " + request.instance() + ": " + e.getMessage());
    }
  }

  /** How many of the target's transactions {@code has} executed. */
  private static long executedOf(GtidSet target, GtidSet has) {
    if (target instanceof MariaDbGtidSet t && has instanceof MariaDbGtidSet h) {
      return t.positions().stream().mapToLong(g -> Math.min(g.seq(), h.seqOf(g.domain()))).sum();
    }
    return target.transactionCount() - target.subtract(has).transactionCount();
  }

  /** The SQL thread of a replica as SHOW SLAVE/REPLICA STATUS reports it; {@code replica} false when it is none. */
  private record SqlThread(boolean replica, boolean running, boolean ioRunning, int errno, String error) {}

  private static SqlThread sqlThread(Connection c, FlavorSql sql) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql.showReplicaStatus)) {
      if (!rs.next()) {
        return new SqlThread(false, false, false, 0, "");
      }
      String error = rs.getString("Last_SQL_Error");
      return new SqlThread(true, "Yes".equalsIgnoreCase(rs.getString(sql.colSqlRunning)),
          "Yes".equalsIgnoreCase(rs.getString(sql.colIoRunning)), rs.getInt("Last_SQL_Errno"),
          error == null ? "" : error);
    }
  }

  @Override
  public StepDone stopReceiving(StopReceiving request) {
    InstanceKey replica = request.replica();
    return new StepDone(onReplica(request.cluster(), replica, "stopping the IO thread of ", (c, r, sql) -> {
      if (!r.sqlThreadRunning()) {
        return replica + " keeps its IO thread: " + RELAY_LOG_KEPT;
      }
      stopReplication(c, sql, sql.stopReplica + " IO_THREAD", "stopping the IO thread of " + replica);
      Failpoints.during();
      return replica + " receives nothing more from " + r.sourceKey() + " (received "
          + orEmpty(r.gtidReceived()) + ")";
    }));
  }

  @Override
  public StepDone resumeReceiving(ResumeReceiving request) {
    InstanceKey replica = request.replica();
    return new StepDone(onReplica(request.cluster(), replica, "starting the IO thread of ", (c, r, sql) -> {
      if (!r.sqlThreadRunning() && !r.ioThreadRunning()) {
        return replica + " left with both threads stopped: " + RELAY_LOG_KEPT
            + "; once its SQL thread is repaired, START SLAVE on it";
      }
      exec(c, sql.startReplica + " IO_THREAD");
      return replica + " receives from " + r.sourceKey() + " again";
    }));
  }

  /**
   * Why a replica whose SQL thread is stopped keeps its IO thread as it is: with GTID replication MariaDB
   * discards the relay log of a replica whose two threads are both stopped as soon as either starts again,
   * and its relay log may hold the last acknowledged writes (received, never applied).
   */
  static final String RELAY_LOG_KEPT = "its SQL thread is stopped, and a replica with both threads stopped loses"
      + " its relay log (the last writes it received, never applied) when one starts again";

  /** A change to a replica's replication, given its connection, its replication state and its flavor. */
  private interface ReplicaChange {
    String apply(Connection c, ReplicationStatus r, FlavorSql sql) throws SQLException;
  }

  /** Applies {@code change} to {@code replica}; an instance that replicates from nothing needs none. */
  private String onReplica(String cluster, InstanceKey replica, String doing, ReplicaChange change) {
    lookup.instance(cluster, replica);
    try (Connection c = connect(replica)) {
      InstanceSnapshot r = SnapshotReader.self(c, replica);
      if (r.replication() == null) {
        return replica + " replicates from nothing";
      }
      return change.apply(c, r.replication(), FlavorSql.fromVersion(r.version()));
    } catch (SQLException e) {
      throw FailureType.INSTANCE_UNREACHABLE.failure(doing + replica + ": " + e.getMessage());
    }
  }

  @Override
  public StepDone promote(Promote request) {
    lookup.instance(request.cluster(), request.instance());
    try (Connection c = connect(request.instance())) {
      InstanceSnapshot r = SnapshotReader.self(c, request.instance());
      FlavorSql sql = FlavorSql.fromVersion(r.version());
      if (r.replication() == null && !r.readOnly()) {
        exec(c, sql.enableSemiSyncPrimary(true));
        return new StepDone(request.instance() + " already promoted (writable, no source)");
      }
      stopReplication(c, sql, "stopping replication on " + request.instance());
      exec(c, sql.resetReplicaAll);
      Failpoints.during();
      exec(c, sql.enableSemiSyncPrimary(true));
      for (String stmt : sql.setReadOnly(false)) {
        exec(c, stmt);
      }
      return new StepDone(request.instance() + " promoted at " + gtidPosition(c, sql) + " (was replicating from " + sourceOf(r) + ")");
    } catch (SQLException e) {
      throw FailureType.INSTANCE_UNREACHABLE.failure("promoting " + request.instance() + ": " + e.getMessage());
    }
  }

  @Override
  public StepDone rejoinAsReplica(RejoinAsReplica request) {
    lookup.instance(request.cluster(), request.instance());
    lookup.instance(request.cluster(), request.source());
    try (Connection c = connect(request.instance())) {
      InstanceSnapshot r = SnapshotReader.self(c, request.instance());
      FlavorSql sql = FlavorSql.fromVersion(r.version());
      if (r.readOnly() && replicatesFrom(r, request.source())) {
        return new StepDone(request.instance() + " already replicates from " + request.source());
      }
      setReadOnlyBounded(c, sql, request.instance());
      exec(c, sql.enableSemiSyncPrimary(false));
      stopReplication(c, sql, "stopping replication on " + request.instance());
      Failpoints.during();
      // It replicates from what it has itself: on MariaDB the slave position starts from its binlog.
      for (String stmt : sql.startFromOwnPosition()) {
        exec(c, stmt);
      }
      pointAt(c, sql, request.source());
      awaitRunning(c, request.instance(), request.source());
      return new StepDone(request.instance() + " is read-only and replicates from " + request.source() + " from " + gtidPosition(c, sql));
    } catch (SQLException e) {
      throw FailureType.INSTANCE_UNREACHABLE.failure("rejoining " + request.instance() + " under " + request.source() + ": " + e.getMessage());
    }
  }

  /** Both threads running, by GTID, from {@code source}. */
  private static boolean replicatesFrom(InstanceSnapshot r, InstanceKey source) {
    return r.replicatesFrom(source) && Boolean.TRUE.equals(r.replication().usingGtid());
  }

  /** The instance it replicates from, null when none. */
  private static InstanceKey sourceOf(InstanceSnapshot r) {
    return r.replication() == null ? null : r.replication().sourceKey();
  }

  private void pointAt(Connection c, FlavorSql sql, InstanceKey source) throws SQLException {
    Credential repl = lookup.config().credentials().replication();
    exec(c, sql.changeSource(source.host(), source.port(), repl.user(), Secrets.resolve(repl.password()),
        REPLICA_HEARTBEAT_SECONDS));
    exec(c, sql.startReplica);
  }

  /**
   * Waits until replication from the source is stable: both threads running, the IO thread connected and
   * no SQL error, seen again {@link #STABLE_MILLIS} after it was first seen (a replica whose SQL thread stops
   * on its first event looks running for an instant). A SQL thread stopped on an error fails at once,
   * non-retryable; one that does not start within 10 s fails retryable, with both threads' errors.
   */
  private static void awaitRunning(Connection c, InstanceKey instance, InstanceKey source) throws SQLException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    long firstSeen = 0;
    ReplicationStatus r;
    do {
      InstanceSnapshot s = SnapshotReader.self(c, instance);
      r = s.replication();
      if (replicatesFrom(s, source) && r.lastSqlError().isBlank()) {
        if (firstSeen == 0) {
          firstSeen = System.nanoTime();
        } else if (System.nanoTime() - firstSeen >= STABLE_MILLIS * 1_000_000L) {
          return;
        }
      } else {
        firstSeen = 0;
        if (r != null && !r.sqlThreadRunning() && !r.lastSqlError().isBlank()) {
          throw FailureType.REPLICATION_NOT_RUNNING.nonRetryable("replication from " + source + " is not stable: SQL thread"
              + " stopped: " + r.lastSqlError().strip());
        }
      }
      Heartbeats.beat("waiting for stable replication from " + source);
      sleep(firstSeen == 0 ? 20 : 200);
    } while (System.nanoTime() < deadline);
    throw FailureType.REPLICATION_NOT_RUNNING.failure("replication from " + source + " did not start stably: " + (r == null
        ? "IO false, SQL false; " : "IO " + r.ioThreadRunning() + ", SQL " + r.sqlThreadRunning() + "; "
            + (r.lastIoError() + " " + r.lastSqlError()).strip()));
  }

  /** Waits until the instance has executed {@code gtid}; returns the milliseconds it took. */
  private static long awaitGtid(Connection c, FlavorSql sql, String gtid, int timeoutSeconds) throws SQLException {
    long t0 = System.nanoTime();
    Flavor flavor = sql == FlavorSql.MARIADB ? Flavor.MARIADB : Flavor.MYSQL;
    GtidSet target = GtidSet.parse(flavor, gtid);
    long deadline = t0 + timeoutSeconds * 1_000_000_000L;
    while (true) {
      GtidSet has = GtidSet.parse(flavor, gtidPosition(c, sql));
      if (has.contains(target)) {
        return (System.nanoTime() - t0) / 1_000_000;
      }
      if (System.nanoTime() > deadline) {
        throw FailureType.CATCH_UP_TIMEOUT.nonRetryable("did not execute " + gtid + " within " + timeoutSeconds
            + " s; it has " + has + " and lacks " + target.subtract(has));
      }
      Heartbeats.beat("has " + has + ", waiting for " + target);
      // The server-side wait returns as soon as the position is reached; 1 s bounds it between heartbeats.
      scalar(c, sql.waitForGtid(gtid, 1));
    }
  }

  private static String orEmpty(String gtid) {
    return gtid.isEmpty() ? "(empty)" : gtid;
  }

  private static String gtidPosition(Connection c, FlavorSql sql) throws SQLException {
    String v = scalar(c, sql.selectGtidExecuted);
    return v == null ? "" : v.replaceAll("\\s+", "");
  }

  private Connection connect(InstanceKey key) throws SQLException {
    return reader.connect(key, Purpose.CHANGE);
  }

  /**
   * Stops replication without waiting long on a source that does not answer (a frozen primary): MariaDB's
   * semi-sync kill connection is bounded to {@link #SEMI_SYNC_KILL_SECONDS} for this statement, the server's
   * own setting put back after. Heartbeats while it waits.
   */
  private static void stopReplication(Connection c, FlavorSql sql, String what) throws SQLException {
    stopReplication(c, sql, sql.stopReplica, what);
  }

  /** The same, for a statement that stops some of it ({@code STOP SLAVE IO_THREAD}). */
  private static void stopReplication(Connection c, FlavorSql sql, String statement, String what) throws SQLException {
    String variable = sql.semiSyncKillTimeoutVariable();
    String before = variable == null ? null : scalar(c, "SELECT @@GLOBAL." + variable);
    if (before == null || (!before.equals("0") && Long.parseLong(before) <= SEMI_SYNC_KILL_SECONDS)) {
      execBeating(c, statement, what);
      return;
    }
    exec(c, "SET GLOBAL " + variable + " = " + SEMI_SYNC_KILL_SECONDS);
    try {
      execBeating(c, statement, what);
    } finally {
      exec(c, "SET GLOBAL " + variable + " = " + Long.parseLong(before));
    }
  }

  /** Runs a statement that may block for a while, heartbeating every half second until it returns. */
  private static void execBeating(Connection c, String sql, String what) throws SQLException {
    CompletableFuture<Void> done = CompletableFuture.runAsync(() -> {
      try {
        exec(c, sql);
      } catch (SQLException e) {
        throw new java.util.concurrent.CompletionException(e);
      }
    });
    while (true) {
      try {
        done.get(500, java.util.concurrent.TimeUnit.MILLISECONDS);
        return;
      } catch (java.util.concurrent.TimeoutException stillRunning) {
        Heartbeats.beat(what);
      } catch (java.util.concurrent.ExecutionException e) {
        if (e.getCause() instanceof SQLException sqlException) {
          throw sqlException;
        }
        throw new SQLException(what + ": " + e.getCause(), e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SQLException(what + ": interrupted", e);
      }
    }
  }

  private static void exec(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  private static String scalar(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  private static void sleep(long millis) {
    Heartbeats.sleep(millis);
  }
}
