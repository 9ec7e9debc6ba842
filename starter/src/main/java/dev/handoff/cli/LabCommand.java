package dev.handoff.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.handoff.config.ConfigFiles;
import dev.handoff.config.HandoffConfig;
import dev.handoff.lab.Lab;
import dev.handoff.lab.LabInfo;
import dev.handoff.lab.LabSpec;
import dev.handoff.status.ClusterStatus;
import dev.handoff.status.StatusReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code handoff lab up|status|down}: the local lab of real parts. */
@Command(name = "lab", mixinStandardHelpOptions = true,
    description = "Start, inspect and stop the local lab (MariaDB, HAProxy, pt-heartbeat, etcd, Temporal).",
    subcommands = {LabCommand.Up.class, LabCommand.Status.class, LabCommand.Down.class, DrillCommand.class})
public final class LabCommand extends GroupCommand {
  @Command(name = "up", mixinStandardHelpOptions = true, description = "Start a lab and write its handoff.yml.")
  static final class Up extends LabDirCommand {
    @Option(names = "--clusters", defaultValue = "1", description = "Clusters c1..cN (default ${DEFAULT-VALUE}).")
    int clusters;

    @Option(names = "--replicas", defaultValue = "2", description = "Replicas per cluster (default ${DEFAULT-VALUE}).")
    int replicas;

    @Option(names = "--base-port", description = "Use ports from this one up instead of free ports.")
    Integer basePort;

    @Override
    public Integer call() {
      LabInfo info = Lab.up(new LabSpec(labDir(), clusters, replicas, basePort), System.out::println);
      System.out.println("config: " + info.configFile());
      System.out.println("Temporal " + info.config().temporal().target() + ", Web UI " + info.config().temporal().webUi());
      System.out.println("export HANDOFF_CONFIG=" + info.configFile());
      return 0;
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Show every instance, HAProxy route and the KV primary; exit 3 when a cluster is unhealthy.")
  static final class Status extends LabDirCommand {
    @Option(names = "--config", description = "Read this handoff.yml instead of the lab dir's.")
    Path config;

    @Option(names = "--output", defaultValue = "text", description = "text or json (default ${DEFAULT-VALUE}).")
    String output;

    @Override
    public Integer call() throws Exception {
      if (!List.of("text", "json").contains(output)) {
        throw new CliException("--output must be text or json, got " + output);
      }
      Path file = config != null ? config : labDir().resolve(Lab.CONFIG);
      if (config == null && !Files.exists(file)) {
        throw new CliException("no lab at " + file.getParent() + " (no " + Lab.CONFIG
            + "); start one with ./handoff lab up");
      }
      HandoffConfig cfg = ConfigFiles.load(file);
      StatusReport report = StatusReport.read(cfg);
      if (output.equals("json")) {
        System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .writeValueAsString(report));
      } else {
        StatusPrinter.print(report, System.out);
      }
      return report.clusters().stream().allMatch(ClusterStatus::healthy) ? 0 : 3;
    }
  }

  @Command(name = "down", mixinStandardHelpOptions = true,
      description = "Stop exactly the processes this lab started and remove its directory.")
  static final class Down extends LabDirCommand {
    @Option(names = "--keep", description = "Keep the directory (logs, datadirs) after stopping.")
    boolean keep;

    @Override
    public Integer call() {
      Lab.down(labDir(), keep, System.out::println);
      return 0;
    }
  }
}
