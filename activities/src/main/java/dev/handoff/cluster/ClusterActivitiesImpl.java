package dev.handoff.cluster;

import dev.handoff.cluster.ClusterActivities.DescribeCluster;
import dev.handoff.config.ClusterSettings;
import dev.handoff.config.HaproxySettings;
import dev.handoff.config.InstanceSettings;
import dev.handoff.mysql.Flavors;
import dev.handoff.domain.InstanceKey;
import dev.handoff.domain.PromotionRule;
import dev.handoff.support.Failpoints;
import dev.handoff.support.Lookup;
import java.util.LinkedHashMap;
import java.util.Map;

/** Serves the configuration's view of a cluster to workflows (no credentials in it). */
public record ClusterActivitiesImpl(Lookup lookup) implements ClusterActivities {
  @Override
  public ClusterDescription describeCluster(DescribeCluster r) {
    ClusterSettings c = lookup.cluster(r.cluster());
    Map<String, PromotionRule> rules = new LinkedHashMap<>();
    for (InstanceSettings i : c.instances()) {
      rules.put(i.key(), PromotionRule.fromString(i.promotionRule()));
    }
    Failpoints.during();
    // The flavor the instances' @@version showed this worker (the configuration's only until one answered).
    return new ClusterDescription(c.name(), Flavors.of(c),
        c.instances().stream().map(i -> new InstanceKey(i.host(), i.port())).toList(), rules,
        lookup.config().remoteHaproxies().stream().map(HaproxySettings::name).toList(),
        c.limits().maxLagSeconds(), c.limits().maxDmlSeconds());
  }
}
