package dev.handoff.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.client.Watches;
import dev.handoff.lab.LabExtension;
import dev.handoff.lab.WriteLoad;
import dev.handoff.process.LocalProcess;
import dev.handoff.recovery.WatchStatus;
import dev.handoff.status.ClusterStatus;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A primary killed with SIGKILL under write load is recovered by the watch; a second death waits for the ack. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RecoveryIT {
  static final String BLOCKED = "-> action: none: automatic recovery is blocked until";
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
  @Order(1)
  void aKilledPrimaryIsRecoveredWithNoAcknowledgedWriteLost() throws Exception {
    String dead = harness.status("c1").kvPrimary();
    try (WriteLoad load = WriteLoad.start(harness.lab.localWriter("c1"), harness.config.credentials().application(),
        3, 1)) {
      harness.awaitWrites("c1", load, 100, 10_000, "before the kill");
      long killedAt = System.nanoTime();
      LAB.info().mariadb("c1", dead).signal("KILL");
      WatchStatus w = harness.awaitRecoveries("c1", 1, 30_000);
      assertThat(w.recoveries()).as("watch: " + w).isEqualTo(1);
      harness.awaitWrites("c1", load, 100, 10_000, "on the new primary");
      load.close();
      System.out.printf("kill -9: longest gap between acknowledged writes %.0f ms, %d acknowledged%n",
          load.longestGapMillis(killedAt), load.acknowledged().size());
      ClusterStatus s = harness.awaitHealthy("c1", 10_000);
      assertThat(s.kvPrimary()).isNotEqualTo(dead);
      assertThat(s.kvEpoch()).isEqualTo(2L);
      assertThat(s.kvReplicas()).doesNotContain(dead);
      try (Connection c = harness.lab.admin(s.kvPrimary())) {
        assertThat(WriteLoad.missing(c, load.acknowledged())).as("acknowledged writes lost").isEmpty();
      }
    }
    assertThat(harness.watch("c1").blockedUntilMillis()).isGreaterThan(System.currentTimeMillis());
  }

  @Test
  @Order(2)
  void aSecondDeathInsideTheCooldownWaitsForTheAcknowledgement() throws Exception {
    ClusterStatus before = harness.status("c1");
    String primary = before.kvPrimary();
    LAB.info().mariadb("c1", primary).signal("KILL");
    harness.await("c1", () -> harness.watch("c1").events().stream().anyMatch(e -> e.contains(BLOCKED)),
        20_000, "the watch to report the second death as blocked by the cooldown");
    WatchStatus w = harness.watch("c1");
    assertThat(w.events()).as(() -> "the dead primary is reported, not acted on\n" + harness.diagnostics("c1"))
        .anySatisfy(e -> assertThat(e).contains("DeadPrimary: ").contains(BLOCKED));
    Thread.sleep(3000);
    assertThat(harness.watch("c1").recoveries()).isEqualTo(1);
    assertThat(harness.status("c1").kvEpoch()).isEqualTo(before.kvEpoch());

    Watches.running(harness.client, "c1").acknowledge("RecoveryIT");
    WatchStatus after = harness.awaitRecoveries("c1", 2, 30_000);
    assertThat(after.recoveries()).as("after the ack: " + after).isEqualTo(2);
    ClusterStatus s = harness.awaitHealthy("c1", 10_000);
    assertThat(s.kvEpoch()).isEqualTo(before.kvEpoch() + 1);
    List<String> alive = harness.lab.instances("c1").stream()
        .filter(k -> !k.equals(primary) && !k.equals(before.instances().stream()
            .filter(i -> !i.reachable()).map(i -> i.key()).findFirst().orElse(""))).toList();
    assertThat(s.kvPrimary()).isIn(alive);
  }
}
