package dev.handoff.lab;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/** Loopback ports for the lab: free ones picked by the kernel, or a checked range from a base port. */
final class Ports {
  private Ports() {}

  static List<Integer> allocate(int count, Integer basePort) {
    return basePort == null ? free(count) : range(basePort, count);
  }

  private static List<Integer> free(int count) {
    List<ServerSocket> held = new ArrayList<>();
    try {
      List<Integer> ports = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        held.add(s);
        ports.add(s.getLocalPort());
      }
      return ports;
    } catch (IOException e) {
      throw new LabException("cannot find free loopback ports: " + e.getMessage(), e);
    } finally {
      for (ServerSocket s : held) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing a probe socket cannot lose anything
        }
      }
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

  private static boolean bindable(int port) {
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
