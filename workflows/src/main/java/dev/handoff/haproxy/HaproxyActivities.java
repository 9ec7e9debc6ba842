package dev.handoff.haproxy;

import dev.handoff.domain.InstanceKey;
import io.temporal.activity.ActivityInterface;

/** The remote HAProxy tier, through each instance's admin socket, master socket and config file. */
@ActivityInterface
public interface HaproxyActivities {

  /** Whether the named HAProxy's admin socket answers; a pre-check, it changes nothing. */
  boolean pingHaproxy(String haproxy);

  /**
   * Postcondition: the cluster's writer backend on this HAProxy serves only {@code primary} (checked
   * through the runtime API), sessions to any other server are shut, the reader backend serves every
   * other instance, and the config file says the same so a reload keeps it.
   */
  String repointWriter(String haproxy, String cluster, InstanceKey primary);

  /**
   * Postcondition: the writer backend serves only {@code primary} and the reader backend exactly
   * {@code readers}, in the running process and in the config file (used after an unplanned failover,
   * where the dead primary must not come back into any pool).
   */
  String repointRoutes(String haproxy, String cluster, InstanceKey primary, java.util.List<InstanceKey> readers);

  /** Postcondition: no writer backend of the cluster on this HAProxy serves {@code instance}. */
  String fenceWriter(String haproxy, String cluster, InstanceKey instance);
}
