package dev.handoff.cli;

import dev.handoff.config.HandoffConfig;
import dev.handoff.worker.HandoffWorker;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code handoff worker}: serve the workflows and activities until stopped (SIGTERM, Ctrl-C). */
@Command(name = "worker", mixinStandardHelpOptions = true,
    description = "Run a worker that serves Handoff's workflows and activities until stopped.")
final class WorkerCommand implements Callable<Integer> {
  @Mixin
  ConfigOption config;

  @Override
  public Integer call() throws InterruptedException {
    HandoffConfig cfg = config.load();
    HandoffWorker worker = HandoffWorker.start(cfg);
    System.out.println("worker serving task queue " + cfg.temporal().taskQueue() + " on " + cfg.temporal().target()
        + " for clusters " + cfg.clusters().stream().map(c -> c.name()).toList() + "; stop with Ctrl-C or SIGTERM");
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      worker.close();
      stopped.countDown();
    }));
    stopped.await();
    return 0;
  }
}
