package dev.handoff.cli;

import dev.handoff.status.ClusterStatus;
import dev.handoff.status.InstanceStatus;
import dev.handoff.status.RouteStatus;
import dev.handoff.status.StatusReport;
import java.io.PrintStream;

/** Renders a status report as the table an operator reads. */
final class StatusPrinter {
  private StatusPrinter() {}

  static void print(StatusReport r, PrintStream out) {
    out.printf("Temporal %s (namespace %s)  Web UI %s%n", r.temporal(), r.namespace(),
        r.webUi() == null ? "-" : r.webUi());
    out.printf("KV %s%n", r.kv());
    for (ClusterStatus c : r.clusters()) {
      out.println();
      out.printf("cluster %s: %s   KV primary %s (epoch %s)%n", c.name(), c.healthy() ? "healthy" : "UNHEALTHY",
          c.kvPrimary() == null ? "-" : c.kvPrimary(), c.kvEpoch() == null ? "-" : c.kvEpoch());
      out.printf("  %-21s %-9s %-4s %-4s %-4s %-21s %-24s %s%n", "INSTANCE", "ROLE", "RO", "IO", "SQL", "SOURCE",
          "GTID EXECUTED", "HEARTBEAT");
      for (InstanceStatus i : c.instances()) {
        if (!i.reachable()) {
          out.printf("  %-21s %-9s %s%n", i.key(), "down",
              i.error() == null ? "" : i.error().lines().findFirst().orElse(""));
          continue;
        }
        out.printf("  %-21s %-9s %-4s %-4s %-4s %-21s %-24s %s%n", i.key(),
            i.role().equals(InstanceStatus.READ_ONLY_STANDALONE) ? "ro-alone" : i.role(),
            yesNo(i.readOnly()), yesNo(i.ioRunning()), yesNo(i.sqlRunning()), i.source() == null ? "-" : i.source(),
            i.gtidExecuted().isEmpty() ? "-" : i.gtidExecuted(),
            i.heartbeatAgeSeconds() == null ? "-" : String.format("%.2fs", i.heartbeatAgeSeconds()));
      }
      for (RouteStatus h : c.routes()) {
        out.printf("  HAProxy %-8s writer -> %s   reader -> %s%s%n", h.haproxy(), h.writers(), h.readers(),
            h.error() == null ? "" : "   " + h.error());
      }
      for (String p : c.problems()) {
        out.println("  problem: " + p);
      }
    }
  }

  private static String yesNo(Boolean b) {
    return b == null ? "-" : b ? "yes" : "no";
  }
}
