package dev.handoff.worker;

import dev.handoff.config.HandoffConfig;
import dev.handoff.lab.HistorySecrets;
import java.nio.file.Path;
import java.util.List;

/** The worker-log half of invariant 7 (the lab extension checks every history at teardown). */
final class HistorySecretsCheck {
  private HistorySecretsCheck() {}

  static List<HistorySecrets.Leak> workerLogLeaks(HandoffConfig config, Path log) throws java.io.IOException {
    return HistorySecrets.scanFile(config, log);
  }
}
