package dev.handoff.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.config.Credential;
import dev.handoff.config.Credentials;
import dev.handoff.config.HandoffConfig;
import dev.handoff.config.SecretRef;
import dev.handoff.lab.LabExtension;
import dev.handoff.worker.InstanceLogins.Login;
import dev.handoff.worker.InstanceLogins.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A wrong admin password against real MariaDB: the worker's start check names the refusal, never the password. */
class WrongCredentialIT {
  private static final String WRONG = "not-the-admin-password";
  @RegisterExtension
  static final LabExtension LAB = LabExtension.clusters(1).replicas(1);
  @TempDir
  Path tmp;

  @Test
  void aRefusedAdminLoginIsNamedPerInstanceAndTheRightOneLogsIn() throws Exception {
    HandoffConfig good = LAB.info().config();
    Credentials c = good.credentials();
    Path wrong = Files.writeString(tmp.resolve("wrong-admin-password"), WRONG);
    HandoffConfig bad = new HandoffConfig(good.temporal(), good.kv(), new Credentials(
        new Credential(c.admin().user(), SecretRef.ofFile(wrong)), c.replication(), c.heartbeat(), c.application()),
        good.haproxy(), good.clusters(), good.worker());

    List<Login> refused = InstanceLogins.check(bad);

    assertThat(refused).hasSize(2).allSatisfy(l -> {
      assertThat(l.outcome()).as(l.message()).isEqualTo(Outcome.ACCESS_DENIED);
      assertThat(l.message()).contains("Access denied for user '" + c.admin().user() + "'@",
          "at " + l.instance(), "as " + c.admin().user()).doesNotContain(WRONG);
    });
    assertThat(InstanceLogins.check(good)).extracting(Login::outcome).containsOnly(Outcome.OK);
  }
}
