package dev.handoff.heartbeat;

import dev.handoff.heartbeat.HeartbeatActivities.RestartHeartbeat;
import dev.handoff.domain.StepDone;
import dev.handoff.config.ClusterSettings;
import dev.handoff.config.HeartbeatSettings;
import dev.handoff.config.InstanceSettings;
import dev.handoff.domain.FailureType;
import dev.handoff.domain.InstanceKey;
import dev.handoff.process.ProcessException;
import dev.handoff.support.Failpoints;
import dev.handoff.support.Heartbeats;
import dev.handoff.support.Lookup;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Points pt-heartbeat at the new primary on every replica host. This worker runs the processes
 * itself, so it must run on the replica hosts' machine (the lab's case); other deployments run an
 * agent per host that serves this activity on a host-specific task queue.
 */
public record HeartbeatActivitiesImpl(Lookup lookup) implements HeartbeatActivities {
  @Override
  public StepDone restartHeartbeat(RestartHeartbeat request) {
    ClusterSettings c = lookup.cluster(request.cluster());
    lookup.instance(request.cluster(), request.primary());
    HeartbeatSettings hb = c.heartbeat();
    List<String> done = new ArrayList<>();
    ensureRow(c, request.primary());
    try {
      if (!HeartbeatProcesses.stop(hb, request.primary().toString())) {
        throw FailureType.HEARTBEAT_NOT_STOPPED.failure("cannot stop the pt-heartbeat of " + request.primary());
      }
      for (InstanceSettings i : c.instances()) {
        if (i.key().equals(request.primary().toString())) {
          continue;
        }
        var running = HeartbeatProcesses.running(hb, i.key());
        if (running.isPresent() && running.get().primary().equals(request.primary().toString())) {
          done.add(i.key() + " kept");
          continue;
        }
        HeartbeatProcesses.stop(hb, i.key());
        HeartbeatProcesses.start(hb, i.key(), request.primary().toString(), lookup.config().credentials().heartbeat());
        done.add(i.key() + " restarted");
        Failpoints.during();
      }
    } catch (ProcessException e) {
      throw FailureType.HEARTBEAT_NOT_STARTED.failure("pt-heartbeat: " + e.getMessage());
    }
    double advancedAfter = awaitAdvance(c, request.primary());
    return new StepDone("pt-heartbeat -> " + request.primary() + " (" + String.join(", ", done) + "); rows advance,"
        + " newest " + String.format("%.2f", advancedAfter) + " s old");
  }

  /**
   * The primary's heartbeat row exists before its pt-heartbeat processes start: several starting at once
   * would each insert it, and all but one would die on the duplicate key.
   */
  private void ensureRow(ClusterSettings c, InstanceKey primary) {
    String table = c.heartbeat().database() + "." + c.heartbeat().table();
    try (Connection conn = lookup.connect(primary, 2000, 10_000); Statement st = conn.createStatement()) {
      st.execute("INSERT IGNORE INTO " + table + " (ts, server_id) VALUES (UTC_TIMESTAMP(6), @@server_id)");
    } catch (SQLException e) {
      throw FailureType.INSTANCE_UNREACHABLE.failure("preparing the heartbeat row on " + primary + ": " + e.getMessage());
    }
  }

  /** Waits until the primary's own heartbeat row is fresh and changes; returns its age then. */
  private double awaitAdvance(ClusterSettings c, InstanceKey primary) {
    String table = c.heartbeat().database() + "." + c.heartbeat().table();
    String sql = "SELECT ts, TIMESTAMPDIFF(MICROSECOND, ts, UTC_TIMESTAMP(6)) FROM " + table
        + " WHERE server_id = @@server_id";
    long deadline = System.nanoTime() + 15_000_000_000L;
    String first = null;
    try (Connection conn = lookup.connect(primary, 2000, 10_000);
         Statement st = conn.createStatement()) {
      while (System.nanoTime() < deadline) {
        try (ResultSet rs = st.executeQuery(sql)) {
          if (rs.next()) {
            String ts = rs.getString(1);
            double age = rs.getLong(2) / 1e6;
            if (first == null) {
              first = ts;
            } else if (!ts.equals(first) && age < 5) {
              return Math.max(0, age);
            }
          }
        }
        Heartbeats.beat("waiting for heartbeat rows on " + primary);
        Thread.sleep(100);
      }
    } catch (SQLException e) {
      throw FailureType.INSTANCE_UNREACHABLE.failure("reading heartbeats on " + primary + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throw FailureType.HEARTBEAT_NOT_ADVANCING.failure("pt-heartbeat rows on " + primary + " did not advance within 15 s; see "
        + c.heartbeat().runDir() + "/*.log");
  }
}
