package dev.handoff.cluster;

import dev.handoff.domain.Flavor;
import dev.handoff.domain.InstanceKey;
import dev.handoff.domain.PromotionRule;
import java.util.List;
import java.util.Map;

/**
 * What the worker's configuration says about a cluster, as a workflow may see it: names, keys, rules
 * and limits, never credentials.
 */
public record ClusterDescription(
    String name,
    Flavor flavor,
    List<InstanceKey> instances,
    Map<String, PromotionRule> promotionRules,
    List<String> remoteHaproxies,
    double maxLagSeconds,
    long maxDmlSeconds) {

  public PromotionRule ruleOf(InstanceKey key) {
    return promotionRules.getOrDefault(key.toString(), PromotionRule.NEUTRAL);
  }
}
