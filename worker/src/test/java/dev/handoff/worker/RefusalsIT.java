package dev.handoff.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.handoff.domain.FailureType;
import dev.handoff.lab.LabExtension;
import io.temporal.client.WorkflowFailedException;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Candidates that fail a pre-check on real state are refused, and the topology is left exactly as it was. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RefusalsIT {
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

  private static String candidate() {
    return harness.lab.instances("c1").get(1);
  }

  /** Runs a real (not dry-run) switchover that must be refused with {@code type}; nothing may change. */
  private static void assertRefused(String candidate, FailureType type) {
    String before = harness.topologyFingerprint("c1");
    assertThatThrownBy(() -> harness.switchover("c1", candidate, false))
        .isInstanceOf(WorkflowFailedException.class)
        .satisfies(e -> {
          ApplicationFailure cause = (ApplicationFailure) e.getCause();
          assertThat(cause.getType()).as(cause.getOriginalMessage()).isEqualTo(type.wireName());
        });
    assertThat(harness.topologyFingerprint("c1")).isEqualTo(before);
  }

  @Test
  @Order(1)
  void anUnknownCandidateIsRefused() {
    assertRefused("127.0.0.1:1", FailureType.UNKNOWN_INSTANCE);
  }

  @Test
  @Order(2)
  void aStoppedReplicaIsRefused() throws Exception {
    try (Connection c = harness.lab.admin(candidate()); Statement st = c.createStatement()) {
      st.execute("STOP SLAVE");
      try {
        assertRefused(candidate(), FailureType.CANDIDATE_NOT_REPLICATING);
      } finally {
        st.execute("START SLAVE");
      }
    }
  }

  @Test
  @Order(3)
  void aDdlRunningOnTheCandidateIsRefused() throws Exception {
    CompletableFuture<Void> ddl = CompletableFuture.runAsync(() -> {
      try (Connection c = harness.lab.admin(candidate()); Statement st = c.createStatement()) {
        // Not binlogged, so the probe leaves no transaction of its own on the replica.
        st.execute("SET SESSION sql_log_bin = 0");
        st.execute("CREATE TEMPORARY TABLE app.ddl_probe ENGINE=InnoDB AS SELECT SLEEP(6) AS s");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    Thread.sleep(500);
    assertRefused(candidate(), FailureType.DDL_RUNNING);
    ddl.get(30, TimeUnit.SECONDS);
  }

  @Test
  @Order(4)
  void anErrantTransactionOnTheCandidateIsRefused() throws Exception {
    try (Connection c = harness.lab.admin(candidate()); Statement st = c.createStatement()) {
      // The admin user is not bound by read_only: this is exactly how an errant transaction happens.
      // Its own GTID domain, so the replica keeps replicating and the errant GTID is the only fault.
      st.execute("SET SESSION gtid_domain_id = 7");
      st.execute("CREATE TABLE app.errant_probe (id INT PRIMARY KEY)");
    }
    assertRefused(candidate(), FailureType.ERRANT_GTID);
    List<String> problems = harness.status("c1").problems();
    assertThat(problems).anySatisfy(p -> assertThat(p).contains(candidate()).contains("primary lacks"));
  }
}
