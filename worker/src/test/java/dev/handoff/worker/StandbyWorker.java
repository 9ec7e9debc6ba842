package dev.handoff.worker;

import dev.handoff.recovery.ClusterWatchWorkflowImpl;
import dev.handoff.recovery.RecoveryWorkflowImpl;
import dev.handoff.switchover.SwitchoverWorkflowImpl;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * A worker JVM waiting to be used (see {@link WorkerProcess#standby}): it loads what a worker's start loads
 * (the Temporal client and worker, the workflow types, Connector/J, jetcd) without connecting to anything,
 * prints {@code standby}, then reads its configuration file's path from stdin and runs {@link WorkerMain} on it.
 * Stdin closed before that: it exits having done nothing.
 */
final class StandbyWorker {
  private StandbyWorker() {}

  public static void main(String[] args) throws Exception {
    warmUp();
    System.out.println("standby");
    System.out.flush();
    String config = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    if (config == null || config.isBlank()) {
      return;
    }
    WorkerMain.main(new String[] {config.strip()});
  }

  /**
   * Builds (and drops) a worker that is never started, on a channel that never connects: no RPC is made (not
   * even a shutdown, which a never-started factory would send to the server).
   */
  private static void warmUp() throws ClassNotFoundException {
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:1").build());
    try {
      WorkerFactory factory = WorkerFactory.newInstance(WorkflowClient.newInstance(stubs));
      factory.newWorker("standby-never-polled").registerWorkflowImplementationTypes(SwitchoverWorkflowImpl.class,
          RecoveryWorkflowImpl.class, ClusterWatchWorkflowImpl.class);
    } finally {
      stubs.shutdownNow();
    }
    Class.forName("com.mysql.cj.jdbc.Driver");
    Class.forName("io.etcd.jetcd.Client");
    Class.forName(HandoffWorker.class.getName());
  }
}
