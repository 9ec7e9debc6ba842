package dev.handoff.worker;

import dev.handoff.runbook.StepOutcome;
import dev.handoff.runbook.RunbookState;
import dev.handoff.runbook.RunbookProgress;
import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.haproxy.HaproxyRuntime;
import dev.handoff.lab.LabExtension;
import dev.handoff.lab.WriteLoad;
import dev.handoff.status.ClusterStatus;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A planned switchover under a continuous write load, and back, on the real lab. */
class SwitchoverIT {
  @RegisterExtension
  static final LabExtension LAB = LabExtension.clusters(1).replicas(2);
  static WorkerHarness harness;

  @BeforeAll
  static void startWorker() {
    harness = new WorkerHarness(LAB.info().config());
  }

  @AfterAll
  static void stopWorker() {
    if (harness != null) {
      harness.close();
    }
  }

  @Test
  void aSwitchoverUnderWriteLoadAndBackLosesNoAcknowledgedWrite() throws Exception {
    List<String> instances = harness.lab.instances("c1");
    String original = instances.get(0);
    String candidate = instances.get(1);
    try (WriteLoad load = WriteLoad.start(harness.lab.localWriter("c1"),
        harness.config.credentials().application(), 3, 1)) {
      harness.awaitWrites("c1", load, 50, 10_000, "before the switchover");

      RunbookProgress there = harness.switchover("c1", candidate, false);
      assertThat(there.state()).isEqualTo(RunbookState.COMPLETED);
      assertThat(there.newPrimary()).isEqualTo(candidate);
      harness.awaitWrites("c1", load, 50, 10_000, "on the new primary");
      assertHealthyWithPrimary(candidate, load);

      RunbookProgress back = harness.switchover("c1", original, false);
      assertThat(back.state()).isEqualTo(RunbookState.COMPLETED);
      assertThat(back.oldPrimary()).isEqualTo(candidate);
      harness.awaitWrites("c1", load, 50, 10_000, "after switching back");
      assertHealthyWithPrimary(original, load);
      System.out.printf("write load: %d acknowledged, %d failed attempts%n", load.acknowledged().size(),
          load.failures());
    }
    assertThat(harness.status("c1").kvEpoch()).isEqualTo(3L);
    assertThat(harness.historyLeaks()).as("configured secrets in this test's workflow histories").isEmpty();
  }

  @Test
  void theProgressQueryListsEveryStepInOrder() throws Exception {
    String primary = harness.status("c1").kvPrimary();
    String other = harness.lab.instances("c1").stream().filter(k -> !k.equals(primary)).findFirst().orElseThrow();
    RunbookProgress p = harness.switchover("c1", other, false);
    p.steps().forEach(s -> System.out.printf("step %-30s %5d ms  %s%n", s.name(), s.millis(), s.detail()));
    java.util.List<String> names = p.steps().stream().map(s -> s.name()).toList();
    assertThat(names).containsSubsequence("precheck", "move-replicas", "kv-writable:before-read-only",
        "set-read-only-and-wait", "kv-writable:before-promote", "promote", "restart-heartbeat", "rejoin-old-primary");
    // The repoint and the publication run side by side after the promotion: both end before pt-heartbeat restarts.
    assertThat(names.subList(names.indexOf("promote"), names.indexOf("restart-heartbeat")))
        .contains("repoint-haproxy", "publish-topology");
    assertThat(p.steps()).allSatisfy(s -> assertThat(s.outcome()).isEqualTo(StepOutcome.DONE));
    awaitHealthy();
  }

  @Test
  void aHaproxyReloadAfterASwitchoverKeepsTheNewPrimary() throws Exception {
    String primary = harness.status("c1").kvPrimary();
    String other = harness.lab.instances("c1").stream().filter(k -> !k.equals(primary)).findFirst().orElseThrow();
    assertThat(harness.switchover("c1", other, false).state()).isEqualTo(RunbookState.COMPLETED);
    var remote1 = harness.lab.haproxy("remote1");
    HaproxyRuntime rt = new HaproxyRuntime(Path.of(remote1.adminSocket()), Path.of(remote1.masterSocket()));
    String pidBefore = pid(rt.command("show info"));
    rt.masterCommand("reload");
    long deadline = System.nanoTime() + 10_000_000_000L;
    String pidAfter = pidBefore;
    while (pidAfter.equals(pidBefore) && System.nanoTime() < deadline) {
      Thread.sleep(100);
      try {
        pidAfter = pid(rt.command("show info"));
      } catch (java.io.IOException notYet) {
        // the new worker binds the admin socket a moment after the reload
      }
    }
    assertThat(pidAfter).as(() -> "a new HAProxy worker after the reload\n" + harness.diagnostics("c1"))
        .isNotEqualTo(pidBefore);
    ClusterStatus s = awaitHealthy();
    assertThat(s.routes()).allSatisfy(r -> assertThat(r.writers()).containsExactly(other));
  }

  private static String pid(String showInfo) {
    return showInfo.lines().filter(l -> l.startsWith("Pid:")).findFirst().orElse("");
  }

  /** The cluster's status once healthy, failing after 10 s: replication restarts take a moment to show. */
  private static ClusterStatus awaitHealthy() {
    return harness.awaitHealthy("c1", 10_000);
  }

  /** Invariants 1-5 through the status report, and invariant 6 on every instance. */
  private static void assertHealthyWithPrimary(String primary, WriteLoad load) throws Exception {
    ClusterStatus s = awaitHealthy();
    assertThat(s.kvPrimary()).isEqualTo(primary);
    harness.assertNoAcknowledgedWriteLost("c1", primary, load);
  }
}
