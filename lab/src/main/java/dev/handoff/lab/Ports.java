package dev.handoff.lab;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/** Loopback ports for the lab: free ones below the kernel's ephemeral range, or a checked range from a base port. */
final class Ports {
  private Ports() {}

  static List<Integer> allocate(int count, Integer basePort) {
    return basePort == null ? free(count) : range(basePort, count);
  }

  /** Where free lab ports are looked for when the kernel's ephemeral range cannot be read. */
  static final int[] DEFAULT_EPHEMERAL = {32768, 60999};
  /** Free lab ports are picked from here up to the ephemeral range's start. */
  static final int FREE_LOW = 10000;
  /** Ports this JVM handed out: a lab that has not bound its ports yet must not get them twice. */
  private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();

  /**
   * Free ports below the kernel's ephemeral range. A port the kernel picks for {@code bind(0)} is in that range,
   * and between the check and the lab's server binding it, any outgoing connection (JDBC, gRPC) may take it
   * as its local port: a lab's Temporal then failed with "address already in use". Below the range only
   * another listener can take it.
   */
  private static List<Integer> free(int count) {
    int high = ephemeralRange()[0] - 1;
    if (high - FREE_LOW < count * 4) {
      throw new LabException("cannot find free loopback ports: the kernel's ephemeral range starts at " + (high + 1)
          + ", leaving too few ports from " + FREE_LOW + "; pass --base-port");
    }
    List<Integer> ports = new ArrayList<>();
    for (int tries = 0; ports.size() < count; tries++) {
      if (tries > count * 50) {
        throw new LabException("cannot find " + count + " free loopback ports in " + FREE_LOW + ".." + high
            + " (found " + ports.size() + "); pass --base-port");
      }
      int p = ThreadLocalRandom.current().nextInt(FREE_LOW, high + 1);
      if (!GIVEN.contains(p) && bindable(p)) {
        GIVEN.add(p);
        ports.add(p);
      }
    }
    return ports;
  }

  /** The kernel's ephemeral port range (Linux), or the usual one when it cannot be read. */
  static int[] ephemeralRange() {
    try {
      String[] parts = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+");
      return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
    } catch (IOException | RuntimeException e) {
      return DEFAULT_EPHEMERAL;
    }
  }

  private static List<Integer> range(int base, int count) {
    if (base < 1024 || base + count > 65535) {
      throw new LabException("--base-port " + base + " is out of range: the lab needs " + count
          + " ports from it, all within 1024..65535");
    }
    List<Integer> ports = new ArrayList<>();
    for (int p = base; p < base + count; p++) {
      if (!bindable(p)) {
        throw new LabException("port " + p + " on 127.0.0.1 is busy; the lab needs ports " + base + ".."
            + (base + count - 1) + " free: choose another --base-port, or omit it to use free ports");
      }
      ports.add(p);
    }
    return ports;
  }

  static boolean bindable(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static boolean listening(String host, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 300);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
