package dev.handoff.config;

final class Ports {
  private Ports() {}

  static boolean valid(int port) {
    return port > 0 && port < 65536;
  }
}
