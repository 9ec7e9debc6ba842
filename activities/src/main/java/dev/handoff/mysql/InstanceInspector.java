package dev.handoff.mysql;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Reads an {@link InstanceReport} over an open connection, with the flavor's SQL. */
public final class InstanceInspector {
  private InstanceInspector() {}

  public static InstanceReport inspect(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      String version;
      long serverId;
      boolean readOnly;
      try (ResultSet rs = st.executeQuery("SELECT @@version, @@server_id, @@read_only")) {
        rs.next();
        version = rs.getString(1);
        serverId = rs.getLong(2);
        readOnly = rs.getBoolean(3);
      }
      FlavorSql sql = FlavorSql.fromVersion(version);
      String executed;
      try (ResultSet rs = st.executeQuery(sql.selectGtidExecuted)) {
        rs.next();
        executed = normalize(rs.getString(1));
      }
      try (ResultSet rs = st.executeQuery(sql.showReplicaStatus)) {
        if (!rs.next()) {
          return new InstanceReport(version, serverId, readOnly, executed, null, 0, false, false, false, "", null, "", "");
        }
        long behind = rs.getLong(sql.colSecondsBehind);
        Long secondsBehind = rs.wasNull() ? null : behind;
        return new InstanceReport(version, serverId, readOnly, executed,
            rs.getString(sql.colSourceHost), rs.getInt(sql.colSourcePort),
            "Yes".equalsIgnoreCase(rs.getString(sql.colIoRunning)),
            "Yes".equalsIgnoreCase(rs.getString(sql.colSqlRunning)),
            sql.usesGtid(rs.getString(sql.colUsingGtid)),
            normalize(rs.getString(sql.colGtidReceived)), secondsBehind,
            nullToEmpty(rs.getString("Last_IO_Error")), nullToEmpty(rs.getString("Last_SQL_Error")));
      }
    }
  }

  private static String normalize(String gtid) {
    return gtid == null ? "" : gtid.replaceAll("\\s+", "");
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
