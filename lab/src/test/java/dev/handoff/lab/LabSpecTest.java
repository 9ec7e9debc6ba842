package dev.handoff.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class LabSpecTest {
  @Test
  void defaultsAreOneClusterOfThreeInTheCacheDir() {
    LabSpec s = LabSpec.defaults();
    assertThat(s.clusterNames()).containsExactly("c1");
    assertThat(s.replicas()).isEqualTo(2);
    assertThat(s.dir()).isEqualTo(LabDefaults.labDir().toAbsolutePath().normalize());
  }

  @Test
  void badCountsAndLongDirsAreRefusedWithTheReason() {
    assertThatThrownBy(() -> new LabSpec(Path.of("/tmp/x"), 0, 2, null)).hasMessageContaining("--clusters must be");
    assertThatThrownBy(() -> new LabSpec(Path.of("/tmp/x"), 1, 0, null)).hasMessageContaining("--replicas must be");
    assertThatThrownBy(() -> new LabSpec(Path.of("/tmp/" + "d".repeat(80)), 1, 2, null))
        .hasMessageContaining("too long");
  }

  @Test
  void aMissingProgramNamesItsPackageAndTheInstallScript() {
    assertThat(Binaries.find("handoff-no-such-program")).isEmpty();
    assertThatThrownBy(() -> Binaries.require("handoff-no-such-program", "Debian package nothing"))
        .hasMessageContaining("Debian package nothing").hasMessageContaining("scripts/install-deps");
  }

  @Test
  void theWriterBackendServesOnlyThePrimaryAndTheReaderOnlyReplicas() {
    String cfg = HaproxyLab.remoteConfig(Path.of("/tmp/a.sock"), List.of(new HaproxyLab.ClusterRoute("c1",
        "127.0.0.1:3307", List.of("127.0.0.1:3308", "127.0.0.1:3309"), 13306, 13307)));
    String writer = cfg.substring(cfg.indexOf("backend c1_writer"), cfg.indexOf("frontend c1_reader_in"));
    assertThat(writer).contains("server 127.0.0.1_3307 127.0.0.1:3307 check on-marked-down shutdown-sessions\n")
        .contains("server 127.0.0.1_3308 127.0.0.1:3308 check on-marked-down shutdown-sessions disabled\n");
    String reader = cfg.substring(cfg.indexOf("backend c1_reader"));
    assertThat(reader).contains("127.0.0.1:3307 check on-marked-down shutdown-sessions disabled\n")
        .contains("127.0.0.1:3309 check on-marked-down shutdown-sessions\n");
  }
}
