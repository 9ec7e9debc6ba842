package dev.handoff.worker.alerts;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP endpoint that receives alerts ({@code POST /alerts}, alias {@code POST /api/alerts}) and asks
 * the affected clusters' watch workflows to probe now. The watch decides; an alert alone never promotes
 * anything. Each distinct cluster of a request is signalled once; a request with any invalid alert or
 * unknown cluster signals nothing.
 *
 * <p>Responses are JSON: 202 {@code {"accepted": N, "ignoredResolved": M, "clusters": [...]}}, or an
 * error {@code {"error": "..."}} with 400 (bad payload), 401 (missing or wrong bearer token), 404 (wrong
 * path or unknown cluster), 405 (not POST), 413 (body over 1 MiB), 503 (the workflow engine could not be
 * reached). No response or log line carries the token.
 */
public final class AlertReceiver implements AutoCloseable {
  /** The largest body accepted. */
  public static final int MAX_BODY_BYTES = 1 << 20;
  /** How much of an oversized body is read and discarded so the client gets its 413 cleanly. */
  private static final long MAX_DRAIN_BYTES = 16L << 20;
  private static final int THREADS = 8;
  private static final Set<String> PATHS = Set.of("/alerts", "/api/alerts");
  private static final Logger log = LoggerFactory.getLogger(AlertReceiver.class);
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final HttpServer server;
  private final ExecutorService executor;
  private final byte[] tokenDigest;
  private final AlertParser parser;
  private final ProbeRequester requester;
  private volatile boolean closed;

  private AlertReceiver(HttpServer server, ExecutorService executor, byte[] tokenDigest,
      Set<String> knownClusters, ProbeRequester requester) {
    this.server = server;
    this.executor = executor;
    this.tokenDigest = tokenDigest;
    this.parser = new AlertParser(knownClusters);
    this.requester = requester;
  }

  /**
   * Binds {@code listenHostPort} ({@code host:port}, {@code [v6]:port}; port 0 picks a free port) and
   * starts serving.
   *
   * @param token the bearer token callers must send ({@code Authorization: Bearer <token>})
   * @param knownClusters the clusters alerts may name; any other is refused with 404
   * @param requester asks a cluster's watch workflow to probe now
   * @throws IllegalArgumentException on a malformed address or an empty token
   * @throws UncheckedIOException when the address cannot be bound
   */
  public static AlertReceiver start(String listenHostPort, String token, Set<String> knownClusters,
      ProbeRequester requester) {
    Objects.requireNonNull(requester, "requester");
    Objects.requireNonNull(knownClusters, "knownClusters");
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("alert receiver: a non-empty bearer token is required");
    }
    InetSocketAddress address = parseAddress(listenHostPort);
    Set<String> clusters = Set.copyOf(new TreeSet<>(knownClusters));
    int instance = INSTANCES.incrementAndGet();
    AtomicInteger threadNo = new AtomicInteger();
    ThreadPoolExecutor executor = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, "alert-receiver-" + instance + "-" + threadNo.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    executor.allowCoreThreadTimeOut(true);
    HttpServer server;
    try {
      server = HttpServer.create(address, 128);
    } catch (IOException e) {
      executor.shutdownNow();
      throw new UncheckedIOException("alert receiver: cannot listen on " + listenHostPort + ": " + e.getMessage(), e);
    }
    AlertReceiver receiver = new AlertReceiver(server, executor, sha256(token), clusters, requester);
    server.createContext("/", receiver::handle);
    server.setExecutor(executor);
    server.start();
    log.info("alert receiver listening on {} (POST /alerts, /api/alerts) for clusters {}",
        server.getAddress(), clusters.stream().sorted().toList());
    return receiver;
  }

  /** The port bound (the ephemeral one when started with port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  /** Stops the server at once and its worker threads. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    server.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.info("alert receiver on port {} stopped", server.getAddress().getPort());
  }

  static InetSocketAddress parseAddress(String hostPort) {
    if (hostPort == null || hostPort.isBlank()) {
      throw new IllegalArgumentException("alert receiver: listen address is required (host:port)");
    }
    String s = hostPort.trim();
    int colon = s.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("alert receiver: listen address '" + s + "' is not host:port");
    }
    String host = s.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.contains(":")) {
      throw new IllegalArgumentException(
          "alert receiver: listen address '" + s + "': write an IPv6 host in brackets, [::1]:9095");
    }
    int port;
    try {
      port = Integer.parseInt(s.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("alert receiver: listen address '" + s + "': port is not a number");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("alert receiver: listen address '" + s + "': port out of range");
    }
    return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
  }

  // ---------------------------------------------------------------------------------------------------

  private void handle(HttpExchange exchange) {
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getRawPath();
    String from = exchange.getRemoteAddress() == null ? "?" : exchange.getRemoteAddress().getAddress().getHostAddress();
    try {
      Outcome outcome = decide(exchange, method, path);
      send(exchange, outcome);
      outcome.log(from, method, path);
    } catch (Throwable t) {
      log.warn("alert {} {} from {}: internal error", method, clean(path), from, t);
      try {
        send(exchange, Outcome.error(500, "internal error: " + t.getClass().getSimpleName()));
      } catch (Throwable ignored) {
        // the response may have been started already; the connection is closed below
      }
    } finally {
      exchange.close();
    }
  }

  private Outcome decide(HttpExchange exchange, String method, String path) throws IOException {
    String p = path != null && path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    if (p == null || !PATHS.contains(p)) {
      return Outcome.error(404, "not found: POST /alerts or /api/alerts");
    }
    if (!"POST".equals(method)) {
      return Outcome.error(405, "method not allowed: use POST").header("Allow", "POST");
    }
    String authError = authenticate(exchange.getRequestHeaders().getFirst("Authorization"));
    if (authError != null) {
      return Outcome.error(401, authError).header("WWW-Authenticate", "Bearer");
    }
    String lengthHeader = exchange.getRequestHeaders().getFirst("Content-Length");
    if (lengthHeader != null) {
      try {
        if (Long.parseLong(lengthHeader.trim()) > MAX_BODY_BYTES) {
          drain(exchange.getRequestBody());
          return tooLarge();
        }
      } catch (NumberFormatException ignored) {
        // the server itself refuses a malformed length; read the body with the limit below
      }
    }
    byte[] body = readLimited(exchange.getRequestBody());
    if (body == null) {
      return tooLarge();
    }
    AlertBatch batch;
    try {
      batch = parser.parse(body);
    } catch (AlertParser.Rejected rejected) {
      return Outcome.error(rejected.status, rejected.getMessage());
    }
    return signal(batch);
  }

  private static Outcome tooLarge() {
    return Outcome.error(413, "body larger than " + MAX_BODY_BYTES + " bytes (1 MiB)");
  }

  /** Signals every cluster of the batch once; tries them all even when one fails. */
  private Outcome signal(AlertBatch batch) {
    List<String> signalled = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    String failure = null;
    for (Map.Entry<String, String> e : batch.reasonByCluster().entrySet()) {
      try {
        requester.probeNow(e.getKey(), e.getValue());
        signalled.add(e.getKey());
      } catch (Exception ex) {
        if (ex instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        failed.add(e.getKey());
        if (failure == null) {
          failure = ex.getClass().getSimpleName();
        }
        log.warn("alert: probe request for cluster={} failed: {}", e.getKey(), ex.getClass().getName(), ex);
      }
    }
    if (failure != null) {
      Outcome o = Outcome.error(503, "could not reach the workflow engine: " + failure);
      o.body.set("signalled", strings(signalled));
      o.body.set("failed", strings(failed));
      o.clusters = batch.clusters();
      o.accepted = batch.accepted();
      return o;
    }
    Outcome o = new Outcome(202);
    o.body.put("accepted", batch.accepted());
    o.body.put("ignoredResolved", batch.ignoredResolved());
    o.body.set("clusters", strings(signalled));
    o.clusters = signalled;
    o.accepted = batch.accepted();
    o.ignoredResolved = batch.ignoredResolved();
    return o;
  }

  /** Null when the header carries the expected bearer token, otherwise why not (never the token itself). */
  private String authenticate(String header) {
    if (header == null || header.isBlank()) {
      return "missing bearer token (Authorization: Bearer <token>)";
    }
    String h = header.trim();
    if (h.length() < 7 || !h.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
      return "authorization must use the Bearer scheme";
    }
    String given = h.substring(7).trim();
    // digests of equal length: the comparison takes the same time whatever the token given
    if (!MessageDigest.isEqual(sha256(given), tokenDigest)) {
      return "invalid bearer token";
    }
    return null;
  }

  private static byte[] readLimited(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
    byte[] buf = new byte[8192];
    int n;
    while ((n = in.read(buf)) >= 0) {
      if (out.size() + n > MAX_BODY_BYTES) {
        drain(in);
        return null;
      }
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }

  /** Reads and discards what the client still sends, up to a bound, so it can read the refusal. */
  private static void drain(InputStream in) throws IOException {
    byte[] buf = new byte[16384];
    long total = 0;
    int n;
    while (total < MAX_DRAIN_BYTES && (n = in.read(buf)) >= 0) {
      total += n;
    }
  }

  private static void send(HttpExchange exchange, Outcome outcome) throws IOException {
    byte[] bytes = AlertParser.JSON.writeValueAsBytes(outcome.body);
    exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    outcome.headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
    if ("HEAD".equals(exchange.getRequestMethod())) {
      exchange.sendResponseHeaders(outcome.status, -1);
      return;
    }
    exchange.sendResponseHeaders(outcome.status, bytes.length);
    try (OutputStream os = exchange.getResponseBody()) {
      os.write(bytes);
    }
  }

  private static ArrayNode strings(List<String> values) {
    ArrayNode a = AlertParser.JSON.createArrayNode();
    values.forEach(a::add);
    return a;
  }

  static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  /** For log lines: no control characters (no forged lines), bounded length. */
  static String clean(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(Math.min(s.length(), 300));
    for (int i = 0; i < s.length() && b.length() < 300; i++) {
      char c = s.charAt(i);
      b.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return s.length() > 300 ? b + "..." : b.toString();
  }

  /** One response and what is logged about it. */
  private static final class Outcome {
    final int status;
    final ObjectNode body = AlertParser.JSON.createObjectNode();
    final java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();
    List<String> clusters = List.of();
    int accepted;
    int ignoredResolved;

    Outcome(int status) {
      this.status = status;
    }

    static Outcome error(int status, String message) {
      Outcome o = new Outcome(status);
      o.body.put("error", message);
      return o;
    }

    Outcome header(String name, String value) {
      headers.put(name, value);
      return this;
    }

    void log(String from, String method, String path) {
      if (status == 202) {
        log.info("alert {} {} from {} -> 202 clusters={} accepted={} ignoredResolved={}", method, clean(path),
            from, clusters, accepted, ignoredResolved);
      } else {
        log.info("alert {} {} from {} -> {} clusters={} accepted={} error={}", method, clean(path), from,
            status, clusters, accepted, clean(body.path("error").asText()));
      }
    }
  }
}
