package dev.handoff.haproxy;

import dev.handoff.domain.InstanceKey;
import dev.handoff.domain.StepDone;
import io.temporal.activity.ActivityInterface;
import java.util.List;

/**
 * The remote HAProxy tier, through each instance's admin socket, master socket and config file. One request
 * record and one result record per activity, nested here.
 */
@ActivityInterface
public interface HaproxyActivities {

  /** Whether the named HAProxy's admin socket answers; a pre-check, it changes nothing. */
  PingResult pingHaproxy(PingHaproxy request);

  record PingHaproxy(String haproxy) {
  }

  record PingResult(String haproxy, boolean answers) {
  }

  /**
   * Postcondition: the cluster's writer backend on this HAProxy serves only {@code primary} (checked
   * through the runtime API), sessions to any other server are shut, the reader backend serves every
   * other instance, and the config file says the same so a reload keeps it.
   */
  StepDone repointWriter(RepointWriter request);

  record RepointWriter(String haproxy, String cluster, InstanceKey primary) {
  }

  /**
   * Postcondition: the writer backend serves only {@code primary} and the reader backend exactly
   * {@code readers}, in the running process and in the config file (used after an unplanned failover,
   * where the dead primary must not come back into any pool).
   */
  StepDone repointRoutes(RepointRoutes request);

  record RepointRoutes(String haproxy, String cluster, InstanceKey primary, List<InstanceKey> readers) {
  }

  /** Postcondition: no writer backend of the cluster on this HAProxy serves {@code instance}. */
  StepDone fenceWriter(FenceWriter request);

  record FenceWriter(String haproxy, String cluster, InstanceKey instance) {
  }
}
