package dev.handoff.recovery;

import dev.handoff.detection.WatchSettings;

/** Starts (or continues) the watch of one cluster. */
public record WatchRequest(String cluster, long cooldownSeconds, WatchSettings settings, WatchState state) {
  public static final long DEFAULT_COOLDOWN_SECONDS = 3600;

  public static WatchRequest of(String cluster) {
    return new WatchRequest(cluster, DEFAULT_COOLDOWN_SECONDS, WatchSettings.defaults(), WatchState.initial());
  }
}
