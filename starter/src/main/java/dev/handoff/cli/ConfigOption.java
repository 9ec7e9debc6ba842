package dev.handoff.cli;

import dev.handoff.config.ConfigFiles;
import dev.handoff.config.HandoffConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --config F}, else $HANDOFF_CONFIG, else ./handoff.yml. */
final class ConfigOption {
  @Option(names = "--config", description = "handoff.yml to read (default: $HANDOFF_CONFIG, else ./handoff.yml).")
  Path file;

  HandoffConfig load() {
    return ConfigFiles.load(ConfigFiles.locate(file));
  }
}
