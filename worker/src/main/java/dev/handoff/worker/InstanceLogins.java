package dev.handoff.worker;

import dev.handoff.config.ClusterSettings;
import dev.handoff.config.Credential;
import dev.handoff.config.HandoffConfig;
import dev.handoff.config.InstanceSettings;
import dev.handoff.mysql.Db;
import dev.handoff.mysql.Flavors;
import dev.handoff.support.Secrets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At worker start: logs in as the admin user to each configured instance (and to nothing else), so a
 * wrong credential is named at once instead of surfacing later as "no replica is reachable". A refused
 * login is an ERROR naming the instance and the user (never the password); an instance that does not
 * answer is a warning (it may be down, and the watch is there for that). The worker starts either way.
 */
public final class InstanceLogins {
  private static final Logger log = LoggerFactory.getLogger(InstanceLogins.class);
  static final int CONNECT_MILLIS = 2_000;
  static final int SOCKET_MILLIS = 3_000;
  /** MySQL and MariaDB: ER_ACCESS_DENIED_ERROR; SQLSTATE 28000 is an invalid authorization. */
  static final int ACCESS_DENIED = 1045;

  /** How one login went. */
  public enum Outcome { OK, ACCESS_DENIED, UNREACHABLE }

  /**
   * One instance's login: the outcome, the server's @@version when it answered, what was logged, and where
   * the configured flavor disagrees with that version, what is wrong (logged as a warning by {@link Flavors}).
   */
  public record Login(String cluster, String instance, String user, Outcome outcome, String version, String message,
      String flavorProblem) {}

  /** Opens an admin connection to one instance (the real one: {@link Db}). */
  interface Connector {
    Connection connect(InstanceSettings instance, Credential admin) throws SQLException;
  }

  private InstanceLogins() {}

  /** Checks every configured instance in parallel and logs each outcome; returns them, in config order. */
  public static List<Login> check(HandoffConfig config) {
    String source = config.worker().sourceAddress();
    return check(config, (i, admin) -> Db.connect(i.host(), i.port(), admin, CONNECT_MILLIS, SOCKET_MILLIS, source));
  }

  static List<Login> check(HandoffConfig config, Connector connector) {
    Credential admin = config.credentials().admin();
    ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "handoff-login-check");
      t.setDaemon(true);
      return t;
    });
    try {
      List<CompletableFuture<Login>> pending = new ArrayList<>();
      for (ClusterSettings c : config.clusters()) {
        for (InstanceSettings i : c.instances()) {
          pending.add(CompletableFuture.supplyAsync(() -> login(c, i, admin, connector), pool));
        }
      }
      List<Login> out = pending.stream().map(CompletableFuture::join).toList();
      out.forEach(InstanceLogins::log);
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  static Login login(ClusterSettings c, InstanceSettings i, Credential admin, Connector connector) {
    try (Connection conn = connector.connect(i, admin); Statement st = conn.createStatement();
        ResultSet rs = st.executeQuery("SELECT @@version")) {
      String version = rs.next() ? rs.getString(1) : null;
      String flavor = version == null ? null : Flavors.mismatch(c, i.key(), version);
      if (version != null) {
        Flavors.observed(c, i.key(), version);
      }
      return new Login(c.name(), i.key(), admin.user(), Outcome.OK, version, "cluster=" + c.name() + " logged in to "
          + i.key() + " as " + admin.user() + " (" + version + ")", flavor);
    } catch (SQLException e) {
      String reason = scrub(e.getMessage(), admin);
      if (accessDenied(e)) {
        return new Login(c.name(), i.key(), admin.user(), Outcome.ACCESS_DENIED, null, "cluster=" + c.name()
            + " cannot log in to " + i.key() + " as " + admin.user() + ": " + reason + " at " + i.key()
            + ". Check credentials.admin (user and password) in the configuration and the user's grants on "
            + i.key() + "; until then every probe and step on it fails", null);
      }
      return new Login(c.name(), i.key(), admin.user(), Outcome.UNREACHABLE, null, "cluster=" + c.name()
          + " cannot reach " + i.key() + " (as " + admin.user() + "): " + reason
          + "; it may be down: the watch reports it", null);
    }
  }

  /** A refused login: error 1045 or SQLSTATE 28000, anywhere in the chain. */
  static boolean accessDenied(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s && (s.getErrorCode() == ACCESS_DENIED || "28000".equals(s.getSQLState()))) {
        return true;
      }
    }
    return false;
  }

  /** The message without the password, should a driver ever echo it. */
  static String scrub(String message, Credential admin) {
    if (message == null) {
      return "no message";
    }
    String password;
    try {
      password = Secrets.resolve(admin.password());
    } catch (RuntimeException unresolved) {
      return message;
    }
    return password == null || password.isEmpty() ? message : message.replace(password, "****");
  }

  private static void log(Login l) {
    switch (l.outcome()) {
      case OK -> log.info("{}", l.message());
      case ACCESS_DENIED -> log.error("{}", l.message());
      case UNREACHABLE -> log.warn("{}", l.message());
    }
  }
}
