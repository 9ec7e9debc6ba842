package dev.handoff.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.handoff.domain.InstanceSnapshot;
import dev.handoff.domain.ReplicationStatus;
import java.util.Objects;

/** One instance as an operator sees it in a status report: a view of its snapshot ({@link #of}). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record InstanceStatus(
    String key,
    boolean reachable,
    String role,
    Boolean readOnly,
    String source,
    Boolean ioRunning,
    Boolean sqlRunning,
    Boolean usingGtid,
    String gtidExecuted,
    String gtidReceived,
    Double heartbeatAgeSeconds,
    String error) {

  public static final String PRIMARY = "primary";
  public static final String REPLICA = "replica";
  public static final String READ_ONLY_STANDALONE = "read-only, not replicating";
  public static final String UNREACHABLE = "unreachable";

  /** The operator's view of a snapshot: its role, and the replication fields only when it is a replica. */
  public static InstanceStatus of(InstanceSnapshot s) {
    if (!s.reachable()) {
      return new InstanceStatus(s.key().toString(), false, UNREACHABLE, null, null, null, null, null, null, null, null,
          s.error());
    }
    ReplicationStatus r = s.replication();
    if (r == null) {
      return new InstanceStatus(s.key().toString(), true, s.readOnly() ? READ_ONLY_STANDALONE : PRIMARY,
          s.readOnly(), null, null, null, null, s.gtidExecuted(), null, s.heartbeatAgeSeconds(), null);
    }
    String errors = (Objects.toString(r.lastIoError(), "") + " " + Objects.toString(r.lastSqlError(), "")).strip();
    return new InstanceStatus(s.key().toString(), true, REPLICA, s.readOnly(), r.sourceKey().toString(),
        r.ioThreadRunning(), r.sqlThreadRunning(), r.usingGtid(), s.gtidExecuted(), r.gtidReceived(),
        s.heartbeatAgeSeconds(), errors.isEmpty() ? null : errors);
  }

  public boolean writable() {
    return reachable && Boolean.FALSE.equals(readOnly);
  }
}
