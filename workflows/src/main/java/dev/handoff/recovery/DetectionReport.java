package dev.handoff.recovery;

import dev.handoff.planning.DetectionResult;

/**
 * What a worker's detector tells a cluster's watch: an analysis that changed, or one that calls for action.
 *
 * @param worker the worker that probed (its identity, for the watch's events)
 * @param result the analysis, at the topology epoch the probe read
 * @param confirmations how many probes in a row saw it (a dead primary is sent only once confirmed)
 */
public record DetectionReport(String worker, DetectionResult result, int confirmations) {}
