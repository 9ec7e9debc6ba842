package dev.handoff.mysql;

import dev.handoff.config.HeartbeatSettings;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** pt-heartbeat's table as an instance sees it. */
public final class HeartbeatTable {
  private HeartbeatTable() {}

  /**
   * Seconds since the newest heartbeat row this instance has (pt-heartbeat writes UTC with --utc): on a
   * replica, its lag plus at most one heartbeat interval. Null when there is no row or no table.
   */
  public static Double age(Connection c, HeartbeatSettings hb) {
    String table = hb.database() + "." + hb.table();
    try (Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT TIMESTAMPDIFF(MICROSECOND, MAX(ts), UTC_TIMESTAMP(6)) FROM " + table)) {
      if (!rs.next()) {
        return null;
      }
      long micros = rs.getLong(1);
      return rs.wasNull() ? null : Math.max(0, micros) / 1e6;
    } catch (SQLException e) {
      return null;
    }
  }
}
