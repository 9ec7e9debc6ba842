package dev.handoff.recovery;

import dev.handoff.config.DetectionMode;
import dev.handoff.detection.WatchSettings;

/**
 * Starts (or continues) the watch of one cluster.
 *
 * @param detection where detection runs; null (as in requests from before the choice existed): the workers
 */
public record WatchRequest(String cluster, long cooldownSeconds, WatchSettings settings, WatchState state,
    DetectionMode detection) {
  public static final long DEFAULT_COOLDOWN_SECONDS = 3600;

  public WatchRequest(String cluster, long cooldownSeconds, WatchSettings settings, WatchState state) {
    this(cluster, cooldownSeconds, settings, state, null);
  }

  /** The same watch, continued with {@code next} as its state. */
  public WatchRequest carrying(WatchState next) {
    return new WatchRequest(cluster, cooldownSeconds, settings, next, detection);
  }

  public static WatchRequest of(String cluster) {
    return new WatchRequest(cluster, DEFAULT_COOLDOWN_SECONDS, WatchSettings.defaults(), WatchState.initial());
  }
}
