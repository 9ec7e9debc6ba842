package dev.handoff.mysql;

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
    Properties p = new Properties();
    p.setProperty("user", credential.user());
    p.setProperty("password", credential.password().resolve());
    p.setProperty("connectTimeout", Integer.toString(timeoutMillis));
    p.setProperty("socketTimeout", Integer.toString(Math.max(timeoutMillis, 30_000)));
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
