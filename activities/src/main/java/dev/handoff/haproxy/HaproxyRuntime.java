package dev.handoff.haproxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A client of one HAProxy's runtime API (the admin stats socket) and of its master CLI socket.
 * Each command opens its own connection: the non-interactive mode answers and closes. Every call is
 * bounded: connecting waits at most the connect timeout, and the whole answer must arrive within the
 * read timeout; an expired timeout is a {@link SocketTimeoutException} naming the HAProxy and the socket.
 */
public record HaproxyRuntime(String name, Path adminSocket, Path masterSocket, int connectMillis, int readMillis) {
  /** Connecting to a local Unix socket is instant unless the process is stuck or its backlog is full. */
  public static final int CONNECT_MILLIS = 1_000;
  /** The longest any answer ({@code show stat} included) may take to arrive in full. */
  public static final int READ_MILLIS = 5_000;

  public HaproxyRuntime(Path adminSocket, Path masterSocket) {
    this(null, adminSocket, masterSocket);
  }

  /** {@code name} is the HAProxy's configured name, used in every error. */
  public HaproxyRuntime(String name, Path adminSocket, Path masterSocket) {
    this(name, adminSocket, masterSocket, CONNECT_MILLIS, READ_MILLIS);
  }

  public HaproxyRuntime {
    if (connectMillis <= 0 || readMillis <= 0) {
      throw new IllegalArgumentException("socket timeouts must be positive, got connect " + connectMillis
          + " ms, read " + readMillis + " ms");
    }
  }

  /** The name errors use: the configured name, or the admin socket when none was given. */
  @Override
  public String name() {
    return name != null ? name : "at " + adminSocket;
  }

  /**
   * One server of a backend as {@code show stat} reports it; {@code sessions} is its current session count
   * ({@code scur}), -1 when the answer has no such column.
   */
  public record ServerStat(String backend, String server, String address, String status, int sessions) {
    /** True when the server takes traffic: checked up (UP, or "no check") and not in maintenance. */
    public boolean serving() {
      return status.startsWith("UP") || status.equals("no check");
    }
  }

  /** Sends one command to the admin socket and returns the whole answer. */
  public String command(String command) throws IOException {
    return send("admin", adminSocket, command);
  }

  /** Sends one command to the master socket and returns the whole answer. */
  public String masterCommand(String command) throws IOException {
    if (masterSocket == null) {
      throw new IOException("HAProxy " + name() + ": no master socket configured (needed for '" + command + "')");
    }
    return send("master", masterSocket, command);
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
      String scur = col.containsKey("scur") ? f[col.get("scur")] : "";
      out.add(new ServerStat(backend, sv, addr, f[col.get("status")], scur.isEmpty() ? -1 : Integer.parseInt(scur)));
    }
    return out;
  }

  private String send(String kind, Path socket, String command) throws IOException {
    String where = "HAProxy " + name() + " " + kind + " socket " + socket;
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        Selector selector = Selector.open()) {
      ch.configureBlocking(false);
      SelectionKey key = ch.register(selector, SelectionKey.OP_CONNECT);
      long connectBy = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(connectMillis);
      if (!ch.connect(UnixDomainSocketAddress.of(socket))) {
        while (!ch.finishConnect()) {
          await(selector, connectBy, where + ": could not connect within " + connectMillis + " ms (sending '"
              + command + "')");
        }
      }
      long answerBy = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(readMillis);
      String late = where + ": no complete answer to '" + command + "' within " + readMillis + " ms";
      ByteBuffer out = ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.UTF_8));
      key.interestOps(SelectionKey.OP_WRITE);
      while (out.hasRemaining()) {
        if (ch.write(out) == 0) {
          await(selector, answerBy, late);
        }
      }
      key.interestOps(SelectionKey.OP_READ);
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      ByteBuffer bb = ByteBuffer.allocate(8192);
      while (true) {
        int n = ch.read(bb);
        if (n < 0) {
          break;
        }
        if (n == 0) {
          await(selector, answerBy, late);
          continue;
        }
        buf.write(bb.array(), 0, bb.position());
        bb.clear();
      }
      return buf.toString(StandardCharsets.UTF_8);
    } catch (InterruptedIOException e) {
      throw e; // a timeout (SocketTimeoutException) or an interrupt, already named
    } catch (IOException e) {
      throw new IOException(where + ": " + e.getMessage() + " (sending '" + command + "')", e);
    }
  }

  /** Waits for the selector's one key until the deadline; past it, a timeout with {@code message}. */
  private static void await(Selector selector, long deadline, String message) throws IOException {
    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    if (left <= 0) {
      throw new SocketTimeoutException(message);
    }
    if (Thread.currentThread().isInterrupted()) {
      throw new InterruptedIOException("interrupted while waiting: " + message);
    }
    selector.select(left);
    selector.selectedKeys().clear();
  }

  /** The HAProxy server name used for an instance in writer and reader backends. */
  public static String serverName(String instanceKey) {
    return instanceKey.replace(':', '_');
  }
}
