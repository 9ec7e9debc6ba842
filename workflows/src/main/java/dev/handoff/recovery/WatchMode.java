package dev.handoff.recovery;

import dev.handoff.domain.WireNamed;

/** What a cluster's watch is doing; the wire name is what {@code ./handoff watch status} prints. */
public enum WatchMode implements WireNamed {
  /** Detecting, and recovering a confirmed dead primary when the cooldown allows. */
  WATCHING,
  /** Its recovery runs. */
  RECOVERING,
  /** Detecting and reporting only: maintenance mode is on. */
  MAINTENANCE,
  /** Stopped by an operator until resumed: the workers' reports are dropped and nothing is done. */
  STOPPED
}
