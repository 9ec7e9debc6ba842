package dev.handoff.cli;

import dev.handoff.config.HandoffConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** A command about one configured cluster: {@code --config} and {@code --cluster}. */
abstract class ClusterCommand implements Callable<Integer> {
  @Mixin
  ConfigOption config;

  @Option(names = "--cluster", required = true, description = "The cluster.")
  String cluster;

  /** The config, refusing a cluster it does not name. */
  HandoffConfig load() {
    HandoffConfig cfg = config.load();
    cfg.requireCluster(cluster);
    return cfg;
  }
}
