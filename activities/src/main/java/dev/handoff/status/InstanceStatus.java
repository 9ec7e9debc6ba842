package dev.handoff.status;

import com.fasterxml.jackson.annotation.JsonInclude;

/** One instance as an operator sees it in a status report. */
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

  public boolean writable() {
    return reachable && Boolean.FALSE.equals(readOnly);
  }
}
