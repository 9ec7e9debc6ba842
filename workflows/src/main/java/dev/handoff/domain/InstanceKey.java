package dev.handoff.domain;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Names one database instance as {@code host:port}, the unit every workflow step and message refers to.
 *
 * <p>Serializes as the plain string {@code "host:port"} (IPv6 hosts bracketed), so it reads well in a
 * workflow history and also works as a JSON map key.
 */
public record InstanceKey(String host, int port) implements Comparable<InstanceKey> {

  public InstanceKey {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("instance host must not be blank (port " + port + ")");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(
          "instance port must be 1..65535, got " + port + " for host " + host);
    }
  }

  /** Parses {@code host:port} or {@code [ipv6]:port}; the message names the bad input. */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static InstanceKey parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("instance key must be host:port, got '" + text + "'");
    }
    String s = text.strip();
    // [ipv6-host]:port splits at the first "]:", host:port at the last ':'
    boolean bracketed = s.startsWith("[");
    int sep = bracketed ? s.indexOf("]:") : s.lastIndexOf(':');
    if (sep < 0) {
      throw new IllegalArgumentException("instance key '" + text + "' must be "
          + (bracketed ? "[ipv6-host]:port (missing ']:port')" : "host:port (missing ':port')"));
    }
    String host = s.substring(bracketed ? 1 : 0, sep);
    String portText = s.substring(sep + (bracketed ? 2 : 1));
    if (!bracketed && host.contains(":")) {
      throw new IllegalArgumentException(
          "instance key '" + text + "' has an unbracketed IPv6 host; write it as [host]:port");
    }
    if (host.isBlank()) {
      throw new IllegalArgumentException("instance key '" + text + "' has an empty host");
    }
    int port;
    try {
      port = Integer.parseInt(portText);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "instance key '" + text + "' has a non-numeric port '" + portText + "'");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(
          "instance key '" + text + "' has port " + port + " outside 1..65535");
    }
    return new InstanceKey(host, port);
  }

  /** {@code host:port}, the form operators type and the KV store holds. */
  @JsonValue
  @Override
  public String toString() {
    return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
  }

  /** Orders by host, then port, for deterministic listings. */
  @Override
  public int compareTo(InstanceKey other) {
    int byHost = host.compareTo(other.host);
    return byHost != 0 ? byHost : Integer.compare(port, other.port);
  }
}
