package dev.handoff.support;

import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;

/** Activity heartbeats that are a no-op outside an activity (direct calls from tests and the lab). */
public final class Heartbeats {
  private Heartbeats() {}

  public static void beat(Object progress) {
    ActivityExecutionContext ctx;
    try {
      ctx = Activity.getExecutionContext();
    } catch (IllegalStateException | NullPointerException notInActivity) {
      return;
    }
    ctx.heartbeat(progress);
  }
}
