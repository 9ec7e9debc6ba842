package dev.handoff.planning;

import dev.handoff.domain.AnalysisCode;

/**
 * When one worker's detector tells a cluster's watch what it sees. A healthy cluster costs nothing: an
 * analysis is sent when it differs from the one this detector last sent, and never more than once per
 * {@code changeGapMillis} for analyses that call for nothing; an analysis that calls for action (a dead
 * primary, confirmed by {@code confirmations} probes in a row; a writer problem), and the first one after
 * it, go at once. An unconfirmed dead primary is not sent at all. A send that failed is tried again on the
 * next probe. Pure: the caller brings the clock.
 */
public final class ReportPolicy {
  /** Analyses that call for nothing are sent at most this often by one detector. */
  public static final long CHANGE_GAP_MILLIS = 5_000;

  private final int confirmations;
  private final long changeGapMillis;
  private AnalysisCode sent;
  private long sentAt;
  private int deadInARow;

  public ReportPolicy(int confirmations, long changeGapMillis) {
    this.confirmations = Math.max(1, confirmations);
    this.changeGapMillis = changeGapMillis;
  }

  /** Whether the watch acts on this analysis when it hears of it. */
  public static boolean callsForAction(AnalysisCode code) {
    return code == AnalysisCode.DEAD_PRIMARY || code == AnalysisCode.NO_WRITABLE_PRIMARY
        || code == AnalysisCode.MULTIPLE_WRITABLE;
  }

  /**
   * Takes one probe's analysis; returns how many probes in a row confirmed it when it is to be sent now
   * (then {@link #sent} once it went), or 0 when nothing is to be sent.
   */
  public int observe(AnalysisCode code, long nowMillis) {
    if (code == AnalysisCode.DEAD_PRIMARY) {
      deadInARow++;
      return deadInARow >= confirmations && sent != AnalysisCode.DEAD_PRIMARY ? deadInARow : 0;
    }
    deadInARow = 0;
    if (code == sent) {
      return 0;
    }
    boolean atOnce = sent == null || callsForAction(code) || callsForAction(sent)
        || nowMillis - sentAt >= changeGapMillis;
    return atOnce ? 1 : 0;
  }

  /** The analysis went to the watch. */
  public void sent(AnalysisCode code, long nowMillis) {
    sent = code;
    sentAt = nowMillis;
  }

  /** A dead primary was seen and not yet confirmed: the next probe confirms it (sooner than the interval). */
  public boolean confirming() {
    return deadInARow > 0 && deadInARow < confirmations;
  }

  /** The analysis this detector last sent (null: none yet). */
  public AnalysisCode lastSent() {
    return sent;
  }
}
