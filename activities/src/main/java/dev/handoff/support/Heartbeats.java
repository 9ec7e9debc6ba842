package dev.handoff.support;

import dev.handoff.domain.FailureType;
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

  /** A pause between polls inside an activity; a worker shutting down ends it as {@code Interrupted}. */
  public static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw FailureType.INTERRUPTED.failure("interrupted");
    }
  }

  /**
   * Waits for every future, heartbeating meanwhile, so a step that waits on slow instances (a frozen one
   * answers only at its read timeout) still tells Temporal its worker is alive.
   */
  public static <T> java.util.List<T> joinAll(java.util.List<java.util.concurrent.CompletableFuture<T>> all) {
    java.util.concurrent.CompletableFuture<Void> done =
        java.util.concurrent.CompletableFuture.allOf(all.toArray(java.util.concurrent.CompletableFuture[]::new));
    while (true) {
      try {
        done.get(500, java.util.concurrent.TimeUnit.MILLISECONDS);
        break;
      } catch (java.util.concurrent.TimeoutException stillWaiting) {
        beat("waiting for " + all.stream().filter(f -> !f.isDone()).count() + " instances");
      } catch (java.util.concurrent.ExecutionException e) {
        break; // each future's own failure is read below
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return all.stream().map(java.util.concurrent.CompletableFuture::join).toList();
  }
}
