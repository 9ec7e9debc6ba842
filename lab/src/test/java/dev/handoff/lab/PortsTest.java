package dev.handoff.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PortsTest {
  @Test
  void freePortsLieBelowTheKernelsEphemeralRangeSoNoOutgoingConnectionCanTakeThem() {
    int ephemeralLow = Ports.ephemeralRange()[0];
    List<Integer> ports = Ports.allocate(40, null);
    assertThat(ports).hasSize(40).doesNotHaveDuplicates()
        .allSatisfy(p -> assertThat(p).isBetween(Ports.FREE_LOW, ephemeralLow - 1));
  }

  @Test
  void twoLabsInOneJvmNeverGetTheSamePortEvenBeforeEitherBindsIt() {
    Set<Integer> first = new HashSet<>(Ports.allocate(30, null));
    List<Integer> second = Ports.allocate(30, null);
    assertThat(second).noneMatch(first::contains);
  }
}
