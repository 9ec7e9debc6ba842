package dev.handoff.cli;

import dev.handoff.bench.SwitchoverBench;
import dev.handoff.bench.WatchBench;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code handoff bench ...}: benchmarks on a fresh lab of their own, printing their figures. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Run a benchmark on a fresh lab.",
    subcommands = {BenchCommand.Switchover.class, BenchCommand.Recovery.class})
final class BenchCommand extends GroupCommand {
  @Command(name = "recovery", aliases = "unplanned", mixinStandardHelpOptions = true,
      description = "Write outage of kill -9 (or SIGSTOP) recoveries, with detection and every step of the critical"
          + " path timed, on fresh labs.")
  static final class Recovery implements Callable<Integer> {
    @Option(names = "--trials", defaultValue = "20", description = "Trials, each on a fresh lab (default ${DEFAULT-VALUE}).")
    int trials;

    @Option(names = "--clusters", defaultValue = "1",
        description = "Clusters per lab whose primaries die at once, a zone outage (default ${DEFAULT-VALUE}).")
    int clusters;

    @Option(names = "--freeze", description = "Freeze the primaries (SIGSTOP) instead of killing them.")
    boolean freeze;

    @Override
    public Integer call() throws Exception {
      if (trials < 1 || trials > 100) {
        throw new CliException("--trials must be 1..100, got " + trials);
      }
      if (clusters < 1 || clusters > 20) {
        throw new CliException("--clusters must be 1..20, got " + clusters);
      }
      var r = dev.handoff.bench.RecoveryBench.run(trials, clusters, freeze, System.out);
      dev.handoff.bench.RecoveryBench.print(r, clusters, freeze, System.out);
      return r.stream().allMatch(t -> t.lost() == 0 && t.healthy()) ? 0 : 1;
    }
  }

  @Command(name = "switchover", mixinStandardHelpOptions = true,
      description = "Write outage of planned switchovers under a write load (p50, p99, max, lost writes).")
  static final class Switchover implements Callable<Integer> {
    @Option(names = "--runs", defaultValue = "20", description = "Switchovers to run (default ${DEFAULT-VALUE}).")
    int runs;

    @Override
    public Integer call() throws Exception {
      if (runs < 1 || runs > 1000) {
        throw new CliException("--runs must be 1..1000, got " + runs);
      }
      SwitchoverBench.Result r = SwitchoverBench.run(runs, 3, System.out);
      SwitchoverBench.print(r, System.out);
      return r.lost() == 0 && r.unhealthyAfter() == 0 ? 0 : 1;
    }
  }

  /** {@code handoff bench watch}: a method subcommand, its options its parameters, checked by the bench's plan. */
  @Command(name = "watch", mixinStandardHelpOptions = true,
      description = "What watching healthy clusters costs (CPU, memory, probes, Temporal actions) and how fast a"
          + " kill -9 is detected with a worker killed too: detection in the workers beside the detector activity.")
  int watch(
      @Option(names = "--clusters", defaultValue = "1,10,50", split = ",",
          description = "Cluster counts, a fresh lab each (default ${DEFAULT-VALUE}).") List<Integer> clusters,
      @Option(names = "--window", defaultValue = "60",
          description = "Seconds each cost row is measured over (default ${DEFAULT-VALUE}).") int window,
      @Option(names = "--trials", defaultValue = "5",
          description = "Kills per design and case on the largest lab (default ${DEFAULT-VALUE}).") int trials,
      @Option(names = "--detection-only",
          description = "Skip the cost rows: only the kill trials, on the largest lab.") boolean detectionOnly)
      throws Exception {
    WatchBench.Plan plan;
    try {
      plan = new WatchBench.Plan(clusters, window, trials, !detectionOnly);
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage());
    }
    WatchBench.print(WatchBench.run(plan, System.out), plan, System.out);
    return 0;
  }
}
