package dev.handoff.runbook;

/**
 * A runbook's answer to an operator's decision it took.
 *
 * @param cluster the cluster whose runbook took it
 * @param decision what the operator decided
 * @param waitedAfter what the runbook waited after (the failed step and why)
 */
public record DecisionTaken(String cluster, OperatorDecision decision, String waitedAfter) {
  /** One line for the operator. */
  public String describe() {
    return decision.wireName() + " accepted by the runbook of " + cluster + " (it waited after: " + waitedAfter + ")";
  }
}
