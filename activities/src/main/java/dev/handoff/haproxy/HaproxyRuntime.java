package dev.handoff.haproxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A client of one HAProxy's runtime API (the admin stats socket) and of its master CLI socket.
 * Each command opens its own connection: the non-interactive mode answers and closes.
 */
public final class HaproxyRuntime {
  private final Path adminSocket;
  private final Path masterSocket;

  public HaproxyRuntime(Path adminSocket, Path masterSocket) {
    this.adminSocket = adminSocket;
    this.masterSocket = masterSocket;
  }

  /** One server of a backend as {@code show stat} reports it. */
  public record ServerStat(String backend, String server, String address, String status) {
    /** True when the server takes traffic: checked up (UP, or "no check") and not in maintenance. */
    public boolean serving() {
      return status.startsWith("UP") || status.equals("no check");
    }
  }

  public String command(String command) throws IOException {
    return send(adminSocket, command);
  }

  public String masterCommand(String command) throws IOException {
    if (masterSocket == null) {
      throw new IOException("no master socket configured");
    }
    return send(masterSocket, command);
  }

  /** The servers of one backend (no FRONTEND/BACKEND summary rows). */
  public List<ServerStat> servers(String backend) throws IOException {
    String csv = command("show stat");
    List<ServerStat> out = new ArrayList<>();
    Map<String, Integer> col = new HashMap<>();
    for (String line : csv.split("\n")) {
      if (line.startsWith("# ")) {
        String[] names = line.substring(2).split(",");
        for (int i = 0; i < names.length; i++) {
          col.put(names[i], i);
        }
        continue;
      }
      String[] f = line.split(",", -1);
      if (col.isEmpty() || f.length < col.size() - 1 || !f[0].equals(backend)) {
        continue;
      }
      String sv = f[col.get("svname")];
      if (sv.equals("FRONTEND") || sv.equals("BACKEND")) {
        continue;
      }
      String addr = col.containsKey("addr") ? f[col.get("addr")] : "";
      out.add(new ServerStat(backend, sv, addr, f[col.get("status")]));
    }
    return out;
  }

  private static String send(Path socket, String command) throws IOException {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      ch.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.UTF_8)));
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      ByteBuffer bb = ByteBuffer.allocate(8192);
      while (ch.read(bb) >= 0) {
        buf.write(bb.array(), 0, bb.position());
        bb.clear();
      }
      return buf.toString(StandardCharsets.UTF_8);
    }
  }

  /** The HAProxy server name used for an instance in writer and reader backends. */
  public static String serverName(String instanceKey) {
    return instanceKey.replace(':', '_');
  }
}
