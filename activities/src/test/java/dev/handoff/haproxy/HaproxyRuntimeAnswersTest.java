package dev.handoff.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.handoff.config.ConfigFiles;
import dev.handoff.config.HaproxySettings;
import dev.handoff.domain.FailureType;
import dev.handoff.domain.InstanceKey;
import dev.handoff.support.Lookup;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Runtime API answers are checked, and every socket call is bounded and names what did not answer. */
@Timeout(30)
class HaproxyRuntimeAnswersTest {
  @TempDir
  Path tmp;

  private static final String CONFIG = """
      global
          stats socket admin.sock mode 600 level admin

      backend c1_writer
          server db1_3306 db1:3306 check
          server db2_3306 db2:3306 check disabled

      backend c1_reader
          server db1_3306 db1:3306 check disabled
          server db2_3306 db2:3306 check
      """;

  private static String stat(String db1Status) {
    return "# pxname,svname,status,addr\n"
        + "c1_writer,db1_3306," + db1Status + ",127.0.0.1:3306\n"
        + "c1_writer,db2_3306,MAINT,127.0.0.1:3307\n"
        + "c1_writer,BACKEND,UP,\n\n";
  }

  private Lookup lookup() throws IOException {
    Files.writeString(tmp.resolve("haproxy.cfg"), CONFIG);
    Path yml = Files.writeString(tmp.resolve("handoff.yml"), """
        temporal:
          target: 127.0.0.1:7233
        kv:
          type: etcd
          endpoints: [http://127.0.0.1:2379]
        credentials:
          admin: {user: handoff_admin, password: {env: X_ADMIN}}
          replication: {user: handoff_repl, password: {env: X_REPL}}
          heartbeat: {user: handoff_heartbeat, password: {env: X_HB}}
        haproxy:
          - name: remote1
            tier: remote
            adminSocket: %s
            masterSocket: %s
            configFile: %s
        clusters:
          - name: c1
            instances:
              - {host: db1, port: 3306}
              - {host: db2, port: 3306}
            heartbeat: {runDir: %s}
        """.formatted(tmp.resolve("admin.sock"), tmp.resolve("master.sock"), tmp.resolve("haproxy.cfg"), tmp));
    return new Lookup(ConfigFiles.load(yml));
  }

  private FakeHaproxy fake(Function<String, String> answers) throws IOException {
    return new FakeHaproxy(tmp.resolve("admin.sock"), answers);
  }

  @Test
  void anUnknownServerInAFenceIsAFailureNamingTheHaproxyTheCommandAndTheAnswer() throws Exception {
    Lookup lookup = lookup();
    try (FakeHaproxy h = fake(c -> c.startsWith("set server") ? "No such server.\n\n" : "\n")) {
      assertThatThrownBy(() -> new HaproxyActivitiesImpl(lookup).fenceWriter(new HaproxyActivities.FenceWriter("remote1", "c1",
          InstanceKey.parse("db1:3306"))))
          .isInstanceOfSatisfying(ApplicationFailure.class,
              f -> assertThat(f.getType()).isEqualTo(FailureType.HAPROXY_NOT_REPOINTED.wireName()))
          .hasMessageContaining("remote1")
          .hasMessageContaining("'set server c1_writer/db1_3306 state maint'")
          .hasMessageContaining("No such server.");
    }
  }

  @Test
  void anUnknownBackendAnswerIsAFailure() throws Exception {
    Lookup lookup = lookup();
    HaproxySettings remote1 = lookup.haproxy("remote1");
    try (FakeHaproxy h = fake(c -> "No such backend.\n\n")) {
      HaproxyRuntime rt = new HaproxyRuntime("remote1", h.socket, null);
      assertThatThrownBy(() -> HaproxyActivitiesImpl.expectEmpty(rt, remote1, "shutdown sessions server nob/db1_3306"))
          .isInstanceOf(ApplicationFailure.class)
          .hasMessageContaining("remote1 refused 'shutdown sessions server nob/db1_3306': No such backend.");
    }
  }

  @Test
  void anEmptyAnswerIsSuccess() throws Exception {
    Lookup lookup = lookup();
    try (FakeHaproxy h = fake(c -> "\n")) {
      HaproxyActivitiesImpl.expectEmpty(new HaproxyRuntime("remote1", h.socket, null), lookup.haproxy("remote1"),
          "set server c1_writer/db1_3306 state maint");
      assertThat(h.commands).containsExactly("set server c1_writer/db1_3306 state maint");
    }
  }

  @Test
  void aFenceChecksItsPostconditionInShowStat() throws Exception {
    Lookup lookup = lookup();
    // every command "succeeds", yet the server is still up: the fence must not report success
    try (FakeHaproxy h = fake(c -> c.equals("show stat") ? stat("UP") : "\n")) {
      assertThatThrownBy(() -> new HaproxyActivitiesImpl(lookup).fenceWriter(new HaproxyActivities.FenceWriter("remote1", "c1",
          InstanceKey.parse("db1:3306"))))
          .isInstanceOf(ApplicationFailure.class)
          .hasMessageContaining("remote1 writer backend c1_writer shows db1_3306 as 'UP'")
          .hasMessageContaining("not in maintenance");
    }
  }

  @Test
  void aFenceThatHoldsDisablesOnlyThatServerInTheFile() throws Exception {
    Lookup lookup = lookup();
    try (FakeHaproxy h = fake(c -> c.equals("show stat") ? stat("MAINT") : "\n")) {
      String result = new HaproxyActivitiesImpl(lookup)
          .fenceWriter(new HaproxyActivities.FenceWriter("remote1", "c1", InstanceKey.parse("db1:3306"))).detail();
      assertThat(result).contains("remote1 no longer routes writes to db1:3306");
      assertThat(h.commands).containsExactly("set server c1_writer/db1_3306 state maint",
          "shutdown sessions server c1_writer/db1_3306", "show stat");
    }
    assertThat(Files.readString(tmp.resolve("haproxy.cfg"))).isEqualTo(CONFIG
        .replace("db1:3306 check\n    server db2_3306 db2:3306 check disabled",
            "db1:3306 check disabled\n    server db2_3306 db2:3306 check disabled"));
  }

  @Test
  void aHaproxyThatNeverAnswersTimesOutNamingItselfAndTheSocket() throws Exception {
    try (FakeHaproxy h = fake(c -> null)) {
      HaproxyRuntime rt = new HaproxyRuntime("remote1", h.socket, null, 1_000, 300);
      long start = System.nanoTime();
      assertThatThrownBy(() -> rt.command("show stat"))
          .isInstanceOf(SocketTimeoutException.class)
          .hasMessageContaining("HAProxy remote1 admin socket " + h.socket)
          .hasMessageContaining("'show stat'")
          .hasMessageContaining("300 ms");
      assertThat((System.nanoTime() - start) / 1_000_000).isBetween(250L, 5_000L);
    }
  }

  @Test
  void aStuckMasterSocketTimesOutToo() throws Exception {
    try (FakeHaproxy admin = fake(c -> "\n");
        FakeHaproxy master = new FakeHaproxy(tmp.resolve("master.sock"), c -> null)) {
      HaproxyRuntime rt = new HaproxyRuntime("remote1", admin.socket, master.socket, 1_000, 300);
      assertThatThrownBy(() -> rt.masterCommand("reload"))
          .isInstanceOf(SocketTimeoutException.class)
          .hasMessageContaining("HAProxy remote1 master socket " + master.socket)
          .hasMessageContaining("'reload'");
    }
  }

  @Test
  void aMissingSocketIsNamedAsUnreachableByTheActivity() throws Exception {
    Lookup lookup = lookup();
    // no fake: nothing listens on the admin socket
    assertThatThrownBy(() -> new HaproxyActivitiesImpl(lookup).fenceWriter(new HaproxyActivities.FenceWriter("remote1", "c1",
        InstanceKey.parse("db1:3306"))))
        .isInstanceOfSatisfying(ApplicationFailure.class,
            f -> assertThat(f.getType()).isEqualTo(FailureType.HAPROXY_UNREACHABLE.wireName()))
        .hasMessageContaining("HAProxy remote1 admin socket " + tmp.resolve("admin.sock"));
  }
}
