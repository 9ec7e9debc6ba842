package dev.handoff.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.handoff.process.LocalProcess;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** up and down keep their promises: nothing left running, nothing touched that is not a lab. */
class LabLifecycleIT {

  @Test
  void downStopsEveryProcessTheLabStartedAndRemovesTheDir() throws Exception {
    Path dir = Files.createTempDirectory(Path.of("/tmp"), "hl-");
    LabInfo info = Lab.up(new LabSpec(dir, 1, 1, null), System.out::println);
    List<LocalProcess> procs = Lab.processes(dir);
    // temporal, etcd, 2 mariadbd, 1 pt-heartbeat, 3 HAProxy
    assertThat(procs).hasSize(8).allMatch(LocalProcess::alive);

    assertThatThrownBy(() -> Lab.up(new LabSpec(dir, 1, 1, null), System.out::println))
        .isInstanceOf(LabException.class).hasMessageContaining("already running").hasMessageContaining("lab down");
    assertThat(Lab.processes(dir)).allMatch(LocalProcess::alive);

    Lab.down(dir, false, System.out::println);
    assertThat(procs).noneMatch(LocalProcess::alive);
    assertThat(dir).doesNotExist();
    int primaryPort = info.config().clusters().get(0).instances().get(0).port();
    assertThat(Ports.listening("127.0.0.1", primaryPort)).isFalse();
  }

  @Test
  void aDirThatIsNotALabIsRefusedAndLeftAlone() throws Exception {
    Path dir = Files.createTempDirectory(Path.of("/tmp"), "hl-");
    Path precious = Files.writeString(dir.resolve("precious.txt"), "keep me");
    assertThatThrownBy(() -> Lab.up(new LabSpec(dir, 1, 1, null), System.out::println))
        .isInstanceOf(LabException.class).hasMessageContaining("not a Handoff lab");
    assertThatThrownBy(() -> Lab.down(dir, false, System.out::println))
        .isInstanceOf(LabException.class).hasMessageContaining("not a Handoff lab");
    assertThat(precious).hasContent("keep me");
    Files.delete(precious);
    Files.delete(dir);
  }

  @Test
  void aBusyPortIsRefusedByNumberAndNothingIsLeftRunning() throws Exception {
    Path dir = Files.createTempDirectory(Path.of("/tmp"), "hl-");
    LabSpec spec = new LabSpec(dir, 1, 1, null);
    int base = freeRun(spec.portCount());
    // Below the ephemeral range, so no outgoing connection takes one of the other ports meanwhile.
    try (ServerSocket busy = new ServerSocket(base + 3, 1, InetAddress.getLoopbackAddress())) {
      assertThatThrownBy(() -> Lab.up(new LabSpec(dir, 1, 1, base), System.out::println))
          .isInstanceOf(LabException.class)
          .hasMessageContaining("port " + busy.getLocalPort() + " on 127.0.0.1 is busy");
    }
    assertThat(Lab.processes(dir)).noneMatch(LocalProcess::alive);
    Lab.down(dir, false, System.out::println);
  }

  /** The first port of {@code count} consecutive free ones below the kernel's ephemeral range. */
  private static int freeRun(int count) {
    for (int base = Ports.FREE_LOW; base + count < Ports.ephemeralRange()[0]; base += count) {
      int b = base;
      if (java.util.stream.IntStream.range(b, b + count).allMatch(Ports::bindable)) {
        return b;
      }
    }
    throw new AssertionError("no " + count + " consecutive free ports below the ephemeral range");
  }
}
