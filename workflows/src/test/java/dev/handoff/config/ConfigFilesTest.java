package dev.handoff.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFilesTest {
  @TempDir
  Path tmp;

  private static final String VALID = """
      temporal:
        target: 127.0.0.1:7233
      kv:
        type: etcd
        endpoints: [http://127.0.0.1:2379]
      credentials:
        admin: {user: handoff_admin, password: {file: /run/secrets/admin}}
        replication: {user: handoff_repl, password: {env: HANDOFF_REPL_PASSWORD}}
        heartbeat: {user: handoff_heartbeat, password: {env: HANDOFF_HEARTBEAT_PASSWORD}}
      haproxy:
        - name: remote1
          tier: remote
          adminSocket: /run/haproxy/admin.sock
          masterSocket: /run/haproxy/master.sock
          configFile: /etc/haproxy/haproxy.cfg
      clusters:
        - name: payments
          instances:
            - {host: db1, port: 3306, promotionRule: prefer}
            - {host: db2, port: 3306}
          heartbeat: {runDir: /var/run/handoff/heartbeat}
      """;

  private Path write(String yaml) throws Exception {
    return Files.writeString(tmp.resolve("handoff.yml"), yaml);
  }

  @Test
  void aValidConfigLoadsWithDefaults() throws Exception {
    HandoffConfig c = ConfigFiles.load(write(VALID));
    assertThat(c.temporal().namespace()).isEqualTo("default");
    assertThat(c.temporal().taskQueue()).isEqualTo("handoff");
    ClusterSettings p = c.requireCluster("payments");
    assertThat(p.flavor()).isEqualTo("mariadb");
    assertThat(p.writerBackend()).isEqualTo("payments_writer");
    assertThat(p.instances().get(1).promotionRule()).isEqualTo("neutral");
    assertThat(p.limits().maxLagSeconds()).isEqualTo(5.0);
    assertThat(c.remoteHaproxies()).hasSize(1);
  }

  @Test
  void writtenConfigReadsBackEqual() throws Exception {
    HandoffConfig c = ConfigFiles.load(write(VALID));
    Path out = tmp.resolve("copy.yml");
    ConfigFiles.write(c, out);
    assertThat(ConfigFiles.load(out)).isEqualTo(c);
  }

  @Test
  void anUnknownFieldIsNamedWithItsPath() throws Exception {
    Path f = write(VALID.replace("promotionRule: prefer", "promotion: prefer"));
    assertThatThrownBy(() -> ConfigFiles.load(f)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown field 'promotion'").hasMessageContaining("clusters[0].instances[0]");
  }

  @Test
  void anInlinePasswordIsRefused() throws Exception {
    Path f = write(VALID.replace("password: {file: /run/secrets/admin}", "password: hunter2"));
    assertThatThrownBy(() -> ConfigFiles.load(f)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("credentials.admin.password").hasMessageNotContaining("hunter2");
  }

  @Test
  void everyBadFieldIsListed() throws Exception {
    Path f = write(VALID.replace("127.0.0.1:7233", "nowhere").replace("port: 3306}", "port: 0}")
        .replace("type: etcd", "type: zookeeper").replace("tier: remote", "tier: middle"));
    assertThatThrownBy(() -> ConfigFiles.load(f)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("temporal.target").hasMessageContaining("clusters[0].instances[1].port")
        .hasMessageContaining("kv.type").hasMessageContaining("haproxy[0].tier");
  }

  @Test
  void aSecretReferenceNeedsExactlyOneSource() throws Exception {
    Path f = write(VALID.replace("{file: /run/secrets/admin}", "{file: /a, env: B}"));
    assertThatThrownBy(() -> ConfigFiles.load(f)).hasMessageContaining("credentials.admin.password: give exactly one");
  }

  @Test
  void aMissingFileSaysHowToGetOne() {
    assertThatThrownBy(() -> ConfigFiles.load(tmp.resolve("none.yml")))
        .hasMessageContaining("no such file").hasMessageContaining("HANDOFF_CONFIG");
  }

  @Test
  void anUnknownClusterListsTheKnownOnes() throws Exception {
    HandoffConfig c = ConfigFiles.load(write(VALID));
    assertThatThrownBy(() -> c.requireCluster("orders"))
        .hasMessageContaining("unknown cluster 'orders'").hasMessageContaining("payments");
  }

  @Test
  void aSecretReferencePrintsAsTheReference() {
    assertThat(new SecretRef(null, "/x").toString()).isEqualTo("file:/x");
    assertThat(new SecretRef("HANDOFF_X", null).toString()).isEqualTo("env:HANDOFF_X");
  }
}
