package dev.handoff.mysql;

import dev.handoff.support.Secrets;
import dev.handoff.config.Credential;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** Opens Connector/J connections with short timeouts, so an unreachable instance fails in seconds. */
public final class Db {
  private Db() {}

  public static Connection connect(String host, int port, Credential credential, int timeoutMillis)
      throws SQLException {
    return connect(host, port, credential, timeoutMillis, Math.max(timeoutMillis, 30_000), null);
  }

  /**
   * A connection with its own read timeout (a frozen server accepts TCP but never answers), from an
   * optional local source address (the worker's address when it is not the default route's).
   */
  public static Connection connect(String host, int port, Credential credential, int connectMillis,
      int socketMillis, String sourceAddress) throws SQLException {
    int timeoutMillis = connectMillis;
    Properties p = new Properties();
    p.setProperty("user", credential.user());
    p.setProperty("password", Secrets.resolve(credential.password()));
    p.setProperty("connectTimeout", Integer.toString(timeoutMillis));
    p.setProperty("socketTimeout", Integer.toString(socketMillis));
    if (sourceAddress != null) {
      p.setProperty("localSocketAddress", sourceAddress);
    }
    p.setProperty("sslMode", "DISABLED");
    p.setProperty("allowPublicKeyRetrieval", "true");
    p.setProperty("useLocalSessionState", "true");
    return DriverManager.getConnection("jdbc:mysql://" + host + ":" + port + "/", p);
  }

  public static Connection connect(String instanceKey, Credential credential, int timeoutMillis) throws SQLException {
    int colon = instanceKey.lastIndexOf(':');
    return connect(instanceKey.substring(0, colon), Integer.parseInt(instanceKey.substring(colon + 1)),
        credential, timeoutMillis);
  }
}
