package dev.handoff.worker;

import dev.handoff.runbook.RunbookState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.handoff.client.Runbooks;
import dev.handoff.config.HandoffConfig;
import dev.handoff.domain.InstanceKey;
import dev.handoff.lab.LabClients;
import dev.handoff.lab.LabExtension;
import dev.handoff.lab.Waits;
import dev.handoff.lab.WriteLoad;
import dev.handoff.runbook.RunbookProgress;
import dev.handoff.runbook.WorkflowIds;
import dev.handoff.status.ClusterStatus;
import dev.handoff.status.InstanceStatus;
import dev.handoff.status.StatusReport;
import dev.handoff.switchover.SwitchoverWorkflow;
import dev.handoff.switchover.SwitchoverRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowFailedException;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A failover that cannot finish: the candidate dies mid-promotion. The runbook stops in a named state,
 * says what it did and what is left, and leaves the old primary writable with its replicas following it.
 */
class OperatorStoryIT {
  @RegisterExtension
  static final LabExtension LAB = LabExtension.clusters(1).replicas(2);

  @Test
  void theCandidateDyingMidPromotionLeavesTheOldPrimaryInChargeAndSaysWhatFailed() throws Exception {
    HandoffConfig config = ChaosIT.chaosConfig(LAB.info().config(), false);
    LabClients lab = new LabClients(config);
    Path work = Files.createTempDirectory(Path.of("/tmp"), "ho-");
    String old = lab.instances("c1").get(0);
    String candidate = lab.instances("c1").get(1);
    String other = lab.instances("c1").get(2);
    WorkflowServiceStubs service = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(config.temporal().target()).build());
    // The worker holds 2 s before promoting: long enough to kill the candidate, shorter than a heartbeat timeout.
    try (WriteLoad load = WriteLoad.start(lab.localWriter("c1"), config.credentials().application(), 3, 1);
         WorkerProcess w = WorkerProcess.start(config, work, "w", "Promote:before", "delay:2000")) {
      WorkflowClient client = WorkflowClient.newInstance(service,
          WorkflowClientOptions.newBuilder().setNamespace(config.temporal().namespace()).build());
      w.awaitReady(30_000);
      load.awaitAcks(30, 10_000);
      SwitchoverWorkflow wf = Runbooks.switchover(client, config, WorkflowIds.failover("c1"));
      WorkflowClient.start(wf::switchover, new SwitchoverRequest("c1", InstanceKey.parse(candidate), false));
      assertThat(w.awaitLog("failpoint Promote:before", 30_000)).isTrue();
      LAB.info().mariadb("c1", candidate).signal("KILL");

      assertThatThrownBy(() -> Waits.result(client, config, "c1", WorkflowIds.failover("c1"), Duration.ofSeconds(60)))
          .isInstanceOf(WorkflowFailedException.class);
      RunbookProgress p = wf.progress();
      System.out.println("candidate died mid-promotion: " + p.state() + " [" + p.failureType() + "] " + p.detail());
      assertThat(p.state()).isEqualTo(RunbookState.ROLLBACK_FAILED);
      assertThat(p.detail()).contains("step promote failed").contains("make " + candidate + " a replica of " + old)
          .contains("check that " + old + " is writable");
      assertThat(p.steps()).anySatisfy(s -> assertThat(s.name()).isEqualTo("promote"));

      assertThat(load.awaitAcks(100, 15_000)).as(() -> "writes flow on the old primary again\n"
          + Waits.diagnostics(client, config, "c1")).isTrue();
      load.close();
      ClusterStatus s = StatusReport.read(config).clusters().get(0);
      assertThat(s.kvPrimary()).isEqualTo(old);
      assertThat(s.kvEpoch()).isEqualTo(1L);
      InstanceStatus oldStatus = s.instances().stream().filter(i -> i.key().equals(old)).findFirst().orElseThrow();
      assertThat(oldStatus.writable()).isTrue();
      InstanceStatus otherStatus = s.instances().stream().filter(i -> i.key().equals(other)).findFirst().orElseThrow();
      assertThat(otherStatus.source()).isEqualTo(old);
      assertThat(s.routes()).allSatisfy(r -> assertThat(r.writers()).containsExactly(old));
      try (var c = lab.admin(old)) {
        assertThat(WriteLoad.missing(c, load.acknowledged())).isEmpty();
      }
    } finally {
      service.shutdownNow();
    }
  }
}
