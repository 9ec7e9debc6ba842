package dev.handoff.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.config.ConfigFiles;
import dev.handoff.domain.InstanceKey;
import dev.handoff.domain.InstanceSnapshot;
import dev.handoff.support.Lookup;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recovery's inspect step does not connect to the old primary it fenced: a frozen server (SIGSTOP)
 * accepts TCP and never answers, so reading it would only wait out the read timeout.
 */
class InspectSkipsFencedTest {
  @TempDir
  Path tmp;

  @Test
  void aFencedInstanceIsReportedSkippedWithoutAConnection() throws Exception {
    try (ServerSocket frozen = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      // Like a SIGSTOPped mariadbd: connections are accepted (the kernel would do it anyway), nothing is sent.
      AtomicInteger accepted = new AtomicInteger();
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            Socket s = frozen.accept();
            accepted.incrementAndGet();
            s.getInputStream(); // held open, never answered
          }
        } catch (IOException closed) {
          // the test is over
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      int refusing;
      try (ServerSocket gone = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
        refusing = gone.getLocalPort();
      }
      Path password = Files.writeString(tmp.resolve("admin"), "secret");
      Path yml = Files.writeString(tmp.resolve("handoff.yml"), """
          temporal:
            target: 127.0.0.1:7233
          kv:
            type: etcd
            endpoints: [http://127.0.0.1:2379]
          credentials:
            admin: {user: handoff_admin, password: {file: %s}}
            replication: {user: handoff_repl, password: {file: %s}}
            heartbeat: {user: handoff_heartbeat, password: {file: %s}}
          haproxy: []
          clusters:
            - name: c1
              instances:
                - {host: 127.0.0.1, port: %d}
                - {host: 127.0.0.1, port: %d}
              heartbeat: {runDir: %s}
          """.formatted(password, password, password, frozen.getLocalPort(), refusing, tmp));
      MysqlActivitiesImpl mysql = new MysqlActivitiesImpl(new Lookup(ConfigFiles.load(yml)));
      InstanceKey fenced = new InstanceKey("127.0.0.1", frozen.getLocalPort());

      List<InstanceSnapshot> states =
          mysql.inspectClusterExcept(new MysqlActivities.InspectClusterExcept("c1", List.of(fenced))).instances();

      assertThat(states).hasSize(2);
      assertThat(states).filteredOn(s -> s.key().equals(fenced)).singleElement().satisfies(s -> {
        assertThat(s.reachable()).isFalse();
        assertThat(s.error()).isEqualTo(MysqlActivitiesImpl.SKIPPED);
      });
      // The other instance was tried (and refused): only the fenced one is left alone.
      assertThat(states).filteredOn(s -> s.key().port() == refusing).singleElement()
          .satisfies(s -> assertThat(s.error()).isNotEqualTo(MysqlActivitiesImpl.SKIPPED));
      assertThat(accepted.get()).as("connections made to the fenced instance").isZero();
    }
  }
}
