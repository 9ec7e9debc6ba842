package dev.handoff.worker;

import dev.handoff.config.ConfigException;
import dev.handoff.config.ConfigFiles;
import dev.handoff.config.HandoffConfig;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/** The worker as a plain process ({@code java -cp ... dev.handoff.worker.WorkerMain CONFIG}), for chaos tests. */
public final class WorkerMain {
  private WorkerMain() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length != 1) {
      System.err.println("usage: WorkerMain CONFIG_FILE");
      System.exit(2);
    }
    HandoffConfig config;
    try {
      config = ConfigFiles.load(Path.of(args[0]));
    } catch (ConfigException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(1);
      return;
    }
    HandoffWorker worker = HandoffWorker.start(config);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      worker.close();
      stopped.countDown();
    }));
    System.out.println("worker ready");
    System.out.flush();
    stopped.await();
  }
}
