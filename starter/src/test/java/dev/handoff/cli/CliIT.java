package dev.handoff.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.handoff.config.HandoffConfig;
import dev.handoff.lab.LabExtension;
import dev.handoff.lab.Waits;
import dev.handoff.worker.HandoffWorker;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The operator's commands against a lab and a worker: what they print and how they exit. */
class CliIT {
  @RegisterExtension
  static final LabExtension LAB = LabExtension.clusters(1).replicas(2);
  static HandoffWorker worker;

  @BeforeAll
  static void startWorker() {
    worker = HandoffWorker.start(LAB.info().config());
  }

  @AfterAll
  static void stopWorker() {
    if (worker != null) {
      worker.close();
    }
  }

  /** Runs the CLI, capturing stdout and stderr together. */
  private static Run run(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream capture = new PrintStream(buf, true, StandardCharsets.UTF_8);
    System.setOut(capture);
    System.setErr(capture);
    try {
      int code = HandoffCli.execute(args);
      return new Run(code, buf.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  record Run(int code, String output) {}

  /** The runbook's progress, the cluster's state and its watch's, through a client of its own. */
  private static String diagnostics() {
    HandoffConfig c = LAB.info().config();
    WorkflowServiceStubs service = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(c.temporal().target()).build());
    try {
      return Waits.diagnostics(WorkflowClient.newInstance(service,
          WorkflowClientOptions.newBuilder().setNamespace(c.temporal().namespace()).build()), c, "c1");
    } finally {
      service.shutdownNow();
    }
  }

  private static String config() {
    return LAB.info().configFile().toString();
  }

  @Test
  void aDryRunPrintsThePlanAndChangesNothing() {
    Run before = run("lab", "status", "--config", config());
    assertThat(before.code()).as(before.output()).isZero();
    Run r = run("switchover", "--config", config(), "--cluster", "c1", "--dry-run");
    assertThat(r.code()).as(r.output()).isZero();
    assertThat(r.output()).contains("pre-checks passed").contains("4. promote").contains("epoch");
    Run after = run("lab", "status", "--config", config());
    assertThat(after.code()).as(after.output()).isZero();
    assertThat(kvLine(after.output())).isEqualTo(kvLine(before.output()));
  }

  /** The status line naming the KV primary and epoch of c1. */
  private static String kvLine(String status) {
    return status.lines().filter(l -> l.startsWith("cluster c1:")).findFirst().orElseThrow();
  }

  @Test
  void aSwitchoverPrintsEachStepAndTheOutcome() {
    String target = LAB.info().config().clusters().get(0).instances().get(2).key();
    // --wait follows the workflow for as long as it runs: bound it here, and say why when it is hit.
    Run r = assertTimeoutPreemptively(Duration.ofSeconds(90),
        () -> run("switchover", "--config", config(), "--cluster", "c1", "--to", target, "--wait"),
        () -> "the switchover did not finish within 90 s\n" + diagnostics());
    assertThat(r.code()).as(r.output()).isZero();
    assertThat(r.output()).contains("[done] promote").contains("[done] repoint-haproxy")
        .contains("switchover COMPLETED").contains("-> " + target);

    Run status = run("runbook", "status", "--config", config(), "--cluster", "c1");
    assertThat(status.code()).as(status.output()).isZero();
    assertThat(status.output()).contains("failover-c1: COMPLETED").contains("-> " + target)
        .contains("[done] rejoin-old-primary");
    // The decision goes to the runbook as an update only; one that has ended takes none, and says so.
    Run retry = run("runbook", "retry", "--config", config(), "--cluster", "c1");
    assertThat(retry.code()).as(retry.output()).isEqualTo(1);
    assertThat(retry.output()).contains("c1").contains("nothing was");
  }

  @Test
  void theOldFailoverCommandsNameTheNewOnesAndDoNothing() {
    Run before = run("lab", "status", "--config", config());
    Run planned = run("failover", "planned", "--config", config(), "--cluster", "c1", "--wait");
    assertThat(planned.code()).isEqualTo(FailoverCommand.RENAMED);
    assertThat(planned.output()).contains("`handoff failover planned` is now `handoff switchover`")
        .contains("./handoff switchover --config " + config() + " --cluster c1 --wait").contains("nothing was done");
    assertThat(run("failover", "unplanned", "--cluster", "c1").output()).contains("is now `handoff recovery start`");
    for (String sub : new String[] {"status", "retry", "abandon"}) {
      Run r = run("failover", sub, "--cluster", "c1");
      assertThat(r.code()).isEqualTo(FailoverCommand.RENAMED);
      assertThat(r.output()).contains("is now `handoff runbook " + sub + "`");
    }
    // `bench unplanned` is the recovery bench under the name the issue tracker and the README use: bad input
    // is refused by that bench before any lab starts.
    Run bench = run("bench", "unplanned", "--trials", "0");
    assertThat(bench.code()).isEqualTo(1);
    assertThat(bench.output()).contains("--trials must be 1..100, got 0");
    assertThat(run("--help").output()).as("hidden").doesNotContainPattern("(?m)^\\s+failover\\b")
        .containsPattern("(?m)^\\s+switchover\\b").containsPattern("(?m)^\\s+runbook\\b");
    assertThat(kvLine(run("lab", "status", "--config", config()).output())).isEqualTo(kvLine(before.output()));
  }

  @Test
  void aRecoveryOfALivePrimaryNamesWhatItSkipsAndIsRefusedWithTheMeaningOfItsType() {
    Run on = run("watch", "maintenance", "--config", config(), "--cluster", "c1", "--on");
    assertThat(on.code()).as(on.output()).isZero();
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      Run status = run("watch", "status", "--config", config(), "--cluster", "c1");
      while (!status.output().contains("watch-c1: maintenance") && System.nanoTime() < deadline) {
        status = run("watch", "status", "--config", config(), "--cluster", "c1");
      }
      assertThat(status.output()).as("the watch is in maintenance").contains("watch-c1: maintenance");

      Run r = assertTimeoutPreemptively(Duration.ofSeconds(60),
          () -> run("recovery", "start", "--config", config(), "--cluster", "c1"),
          () -> "the recovery did not end within 60 s\n" + diagnostics());

      // Forced: it skips the watch's maintenance, but not the confirmation of a dead primary.
      assertThat(r.code()).as(r.output()).isEqualTo(RunbookOutput.NOT_DONE);
      assertThat(r.output()).contains("automatic recovery of c1 is held back (maintenance mode is on)",
          "this recovery is forced and skips that; the primary's death is still confirmed first",
          "recovery REFUSED [PrimaryNotDead]: not recovering c1",
          "  PrimaryNotDead: the primary's death is not confirmed");
    } finally {
      run("watch", "maintenance", "--config", config(), "--cluster", "c1", "--off");
    }
  }

  @Test
  void badInputIsRefusedWithTheReason() {
    Run unknownCluster = run("switchover", "--config", config(), "--cluster", "nope");
    assertThat(unknownCluster.code()).isEqualTo(1);
    assertThat(unknownCluster.output()).contains("unknown cluster 'nope'").contains("[c1]");
    Run unknownInstance = run("switchover", "--config", config(), "--cluster", "c1", "--to", "127.0.0.1:1");
    assertThat(unknownInstance.code()).isEqualTo(1);
    assertThat(unknownInstance.output()).contains("is not an instance of c1");
    Run malformed = run("switchover", "--config", config(), "--cluster", "c1", "--to", "nohost");
    assertThat(malformed.code()).isEqualTo(1);
    assertThat(malformed.output()).contains("--to");
    Run missingConfig = run("lab", "status", "--config", "/nonexistent/handoff.yml");
    assertThat(missingConfig.code()).isEqualTo(1);
    assertThat(missingConfig.output()).contains("no such file");
  }
}
