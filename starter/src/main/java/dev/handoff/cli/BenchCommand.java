package dev.handoff.cli;

import dev.handoff.bench.SwitchoverBench;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code handoff bench ...}: benchmarks on a fresh lab of their own, printing their figures. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Run a benchmark on a fresh lab.",
    subcommands = {BenchCommand.Switchover.class})
final class BenchCommand implements Runnable {
  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(name = "switchover", mixinStandardHelpOptions = true,
      description = "Write outage of planned switchovers under a write load (p50, p99, max, lost writes).")
  static final class Switchover implements Callable<Integer> {
    @Option(names = "--runs", defaultValue = "10", description = "Switchovers to run (default ${DEFAULT-VALUE}).")
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
}
