package dev.handoff.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * One HAProxy instance. The remote tier knows the primary: Handoff repoints its writer backends through
 * the admin socket (runtime API) and rewrites its config file so a reload keeps the change. The local
 * tier, one per client, forwards to the remote tier and is never changed by a failover.
 *
 * @param frontends per cluster, the ports of its writer and reader frontends on this instance
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HaproxySettings(
    String name,
    String tier,
    String adminSocket,
    String masterSocket,
    String configFile,
    Map<String, Frontends> frontends) {

  public static final String REMOTE = "remote";
  public static final String LOCAL = "local";

  /** The listening ports of one cluster's frontends on one HAProxy. */
  public record Frontends(int writer, int reader) {}

  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean isRemote() {
    return REMOTE.equals(tier);
  }

  void validate(String field, List<String> errors) {
    if (name == null || name.isBlank()) {
      errors.add(field + ".name: required");
    }
    if (!REMOTE.equals(tier) && !LOCAL.equals(tier)) {
      errors.add(field + ".tier: expected remote or local, got " + tier);
    }
    if (REMOTE.equals(tier)) {
      if (adminSocket == null) {
        errors.add(field + ".adminSocket: required for a remote HAProxy (the runtime API socket)");
      }
      if (masterSocket == null) {
        errors.add(field + ".masterSocket: required for a remote HAProxy (used to reload it)");
      }
      if (configFile == null) {
        errors.add(field + ".configFile: required for a remote HAProxy (rewritten so a reload keeps the primary)");
      }
    }
    if (frontends != null) {
      frontends.forEach((cluster, f) -> {
        if (f == null || !Ports.valid(f.writer()) || !Ports.valid(f.reader())) {
          errors.add(field + ".frontends." + cluster + ": writer and reader must be ports 1..65535");
        }
      });
    }
  }
}
