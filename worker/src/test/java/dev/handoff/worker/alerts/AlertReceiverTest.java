package dev.handoff.worker.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Real HTTP over loopback against a receiver on an ephemeral port, with a recording fake requester. */
class AlertReceiverTest {
  private static final String TOKEN = "s3cret-alert-token-0123456789";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Records every probeNow; thread-safe; can be told to fail. */
  static final class RecordingRequester implements ProbeRequester {
    record Call(String cluster, String reason) {}

    final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
    volatile Exception failWith;

    @Override
    public void probeNow(String cluster, String reason) throws Exception {
      if (failWith != null) {
        throw failWith;
      }
      calls.add(new Call(cluster, reason));
    }

    List<Call> calls() {
      return List.copyOf(calls);
    }
  }

  private RecordingRequester requester;
  private AlertReceiver receiver;
  private HttpClient http;

  @BeforeEach
  void start() {
    requester = new RecordingRequester();
    receiver = AlertReceiver.start("127.0.0.1:0", TOKEN, Set.of("c1", "c2"), requester);
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
  }

  @AfterEach
  void stop() {
    receiver.close();
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + receiver.port() + path);
  }

  private HttpRequest.Builder request(String path, String token) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  private HttpResponse<String> post(String path, String token, String body) throws Exception {
    return http.send(request(path, token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String body) throws Exception {
    return post("/alerts", TOKEN, body);
  }

  private static JsonNode json(HttpResponse<String> r) throws IOException {
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
        ct -> assertThat(ct).startsWith("application/json"));
    return JSON.readTree(r.body());
  }

  private static String alert(String status, String cluster, String alertname, String fingerprint) {
    String clusterLabel = cluster == null ? "" : ",\"cluster\":\"" + cluster + "\"";
    return "{\"status\":\"" + status + "\",\"labels\":{\"alertname\":\"" + alertname + "\",\"instance\":\"db1:3306\""
        + clusterLabel + "},\"annotations\":{\"summary\":\"primary down\"},"
        + "\"startsAt\":\"2025-01-01T00:00:00Z\",\"endsAt\":\"0001-01-01T00:00:00Z\","
        + "\"generatorURL\":\"http://prom/graph\",\"fingerprint\":\"" + fingerprint + "\"}";
  }

  private static String alertmanager(String status, String... alerts) {
    return "{\"version\":\"4\",\"status\":\"" + status + "\",\"receiver\":\"handoff\","
        + "\"groupKey\":\"{}:{alertname=\\\"MySQLPrimaryDown\\\"}\",\"truncatedAlerts\":0,"
        + "\"groupLabels\":{\"alertname\":\"MySQLPrimaryDown\"},\"commonLabels\":{},\"commonAnnotations\":{},"
        + "\"externalURL\":\"http://alertmanager:9093\",\"alerts\":[" + String.join(",", alerts) + "]}";
  }

  // ---- authentication ---------------------------------------------------------------------------

  @Test
  void missingTokenIs401AndSignalsNothing() throws Exception {
    HttpResponse<String> r = post("/alerts", null, "{\"cluster\":\"c1\"}");
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(json(r).path("error").asText()).contains("missing bearer token");
    assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
    assertThat(r.body()).doesNotContain(TOKEN);
    assertThat(requester.calls()).isEmpty();
  }

  @Test
  void wrongTokenIs401AndNeverEchoesEitherToken() throws Exception {
    String wrong = "wrong-token-zz9-plural-z-alpha";
    HttpResponse<String> r = post("/alerts", wrong, "{\"cluster\":\"c1\"}");
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(json(r).path("error").asText()).isEqualTo("invalid bearer token");
    assertThat(r.body()).doesNotContain(wrong).doesNotContain(TOKEN);

    HttpResponse<String> prefix = post("/alerts", TOKEN.substring(0, 10), "{\"cluster\":\"c1\"}");
    assertThat(prefix.statusCode()).isEqualTo(401);
    HttpResponse<String> longer = post("/alerts", TOKEN + "x", "{\"cluster\":\"c1\"}");
    assertThat(longer.statusCode()).isEqualTo(401);

    HttpResponse<String> basic = http.send(HttpRequest.newBuilder(uri("/alerts"))
        .header("Authorization", "Basic " + TOKEN).POST(HttpRequest.BodyPublishers.ofString("{\"cluster\":\"c1\"}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(basic.statusCode()).isEqualTo(401);
    assertThat(basic.body()).doesNotContain(TOKEN);
    assertThat(requester.calls()).isEmpty();
  }

  // ---- Alertmanager ------------------------------------------------------------------------------

  @Test
  void alertmanagerFiringBatchForOneClusterIsOneProbe() throws Exception {
    HttpResponse<String> r = post(alertmanager("firing",
        alert("firing", "c1", "MySQLPrimaryDown", "fp1"),
        alert("firing", "c1", "MySQLReplicationBroken", "fp2"),
        alert("firing", "c1", "MySQLPrimaryDown", "fp3")));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    JsonNode body = json(r);
    assertThat(body.path("accepted").asInt()).isEqualTo(3);
    assertThat(body.path("ignoredResolved").asInt()).isZero();
    assertThat(body.path("clusters").toString()).isEqualTo("[\"c1\"]");
    assertThat(requester.calls()).hasSize(1);
    RecordingRequester.Call call = requester.calls().get(0);
    assertThat(call.cluster()).isEqualTo("c1");
    assertThat(call.reason()).isEqualTo("alertmanager: MySQLPrimaryDown (fp1) and 2 more alerts");
  }

  @Test
  void alertmanagerSignalsEachClusterOnceAndCountsResolved() throws Exception {
    String mysqlClusterLabel = "{\"status\":\"firing\",\"labels\":{\"alertname\":\"MySQLDown\","
        + "\"mysql_cluster\":\"c2\"},\"startsAt\":\"2025-02-03T04:05:06Z\"}";
    HttpResponse<String> r = post("/api/alerts", TOKEN, alertmanager("firing",
        alert("firing", "c1", "MySQLPrimaryDown", "fp1"),
        alert("resolved", "c1", "MySQLPrimaryDown", "fp0"),
        mysqlClusterLabel,
        alert("firing", "c1", "MySQLPrimaryDown", "fp4")));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    JsonNode body = json(r);
    assertThat(body.path("accepted").asInt()).isEqualTo(3);
    assertThat(body.path("ignoredResolved").asInt()).isEqualTo(1);
    assertThat(body.path("clusters").toString()).isEqualTo("[\"c1\",\"c2\"]");
    assertThat(requester.calls()).containsExactly(
        new RecordingRequester.Call("c1", "alertmanager: MySQLPrimaryDown (fp1) and 1 more alert"),
        new RecordingRequester.Call("c2", "alertmanager: MySQLDown (2025-02-03T04:05:06Z)"));
  }

  @Test
  void resolvedOnlyIsAcceptedButSignalsNothing() throws Exception {
    HttpResponse<String> r = post(alertmanager("resolved",
        alert("resolved", "c1", "MySQLPrimaryDown", "fp1"),
        alert("resolved", "c1", "MySQLPrimaryDown", "fp2")));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    JsonNode body = json(r);
    assertThat(body.path("accepted").asInt()).isZero();
    assertThat(body.path("ignoredResolved").asInt()).isEqualTo(2);
    assertThat(body.path("clusters").toString()).isEqualTo("[]");
    assertThat(requester.calls()).isEmpty();
  }

  @Test
  void mixedValidAndInvalidBatchIs400AndSignalsNothing() throws Exception {
    HttpResponse<String> r = post(alertmanager("firing",
        alert("firing", "c1", "MySQLPrimaryDown", "fp1"),
        alert("firing", "c2", "MySQLPrimaryDown", "fp2"),
        alert("firing", null, "MySQLPrimaryDown", "fp3")));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).path("error").asText()).contains("alerts[2]: no 'cluster' label");
    assertThat(requester.calls()).isEmpty();

    HttpResponse<String> badStatus = post(alertmanager("firing",
        alert("firing", "c1", "MySQLPrimaryDown", "fp1"), alert("pending", "c1", "X", "fp2"), "42"));
    assertThat(badStatus.statusCode()).isEqualTo(400);
    assertThat(json(badStatus).path("error").asText())
        .contains("alerts[1]: status 'pending' is neither firing nor resolved")
        .contains("alerts[2]: must be an object");
    assertThat(requester.calls()).isEmpty();
  }

  @Test
  void unsupportedOrMissingAlertmanagerFieldsAre400() throws Exception {
    HttpResponse<String> v1 = post(alertmanager("firing", alert("firing", "c1", "A", "f")).replace("\"4\"", "\"1\""));
    assertThat(v1.statusCode()).isEqualTo(400);
    assertThat(json(v1).path("error").asText()).contains("unsupported webhook version '1'");

    HttpResponse<String> notArray = post("{\"version\":\"4\",\"alerts\":{}}");
    assertThat(notArray.statusCode()).isEqualTo(400);
    assertThat(json(notArray).path("error").asText()).contains("alerts: must be an array");
    assertThat(requester.calls()).isEmpty();
  }

  // ---- plain form --------------------------------------------------------------------------------

  @Test
  void plainFormIsAcceptedWithoutContentType() throws Exception {
    HttpResponse<String> r = http.send(request("/api/alerts", TOKEN)
        .POST(HttpRequest.BodyPublishers.ofString("{\"cluster\":\"c1\",\"reason\":\"free text\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    JsonNode body = json(r);
    assertThat(body.path("accepted").asInt()).isEqualTo(1);
    assertThat(body.path("ignoredResolved").asInt()).isZero();
    assertThat(body.path("clusters").toString()).isEqualTo("[\"c1\"]");
    assertThat(requester.calls()).containsExactly(new RecordingRequester.Call("c1", "free text"));

    HttpResponse<String> noReason = post("{\"cluster\":\"c2\"}");
    assertThat(noReason.statusCode()).isEqualTo(202);
    assertThat(requester.calls()).hasSize(2);
    assertThat(requester.calls().get(1).cluster()).isEqualTo("c2");
    assertThat(requester.calls().get(1).reason()).isNotBlank();
  }

  @Test
  void plainFormWithWrongTypesIs400() throws Exception {
    assertThat(post("{\"cluster\":42}").statusCode()).isEqualTo(400);
    assertThat(post("{\"cluster\":\"\"}").statusCode()).isEqualTo(400);
    HttpResponse<String> r = post("{\"cluster\":\"c1\",\"reason\":{\"a\":1}}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).path("error").asText()).contains("'reason' must be a string");
    assertThat(requester.calls()).isEmpty();
  }

  // ---- unknown cluster, bad input ----------------------------------------------------------------

  @Test
  void unknownClusterIs404AndSignalsNothing() throws Exception {
    HttpResponse<String> r = post("{\"cluster\":\"x\",\"reason\":\"r\"}");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(json(r).path("error").asText()).isEqualTo("unknown cluster 'x'; known: [c1, c2]");

    HttpResponse<String> batch = post(alertmanager("firing",
        alert("firing", "c1", "MySQLPrimaryDown", "fp1"),
        alert("firing", "nope", "MySQLPrimaryDown", "fp2")));
    assertThat(batch.statusCode()).isEqualTo(404);
    assertThat(json(batch).path("error").asText()).startsWith("unknown cluster 'nope'");
    assertThat(requester.calls()).isEmpty();
  }

  @Test
  void malformedJsonIs400() throws Exception {
    HttpResponse<String> r = post("{\"cluster\": \"c1\"");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).path("error").asText()).startsWith("not JSON: ");

    HttpResponse<String> trailing = post("{\"cluster\":\"c1\"} {\"cluster\":\"c2\"}");
    assertThat(trailing.statusCode()).isEqualTo(400);
    HttpResponse<String> duplicate = post("{\"cluster\":\"c1\",\"cluster\":\"c2\"}");
    assertThat(duplicate.statusCode()).isEqualTo(400);

    HttpResponse<String> array = post("[1,2]");
    assertThat(array.statusCode()).isEqualTo(400);
    assertThat(json(array).path("error").asText()).startsWith(AlertParser.EXPECTED);

    HttpResponse<String> other = post("{\"hello\":\"world\"}");
    assertThat(other.statusCode()).isEqualTo(400);
    assertThat(json(other).path("error").asText()).isEqualTo(AlertParser.EXPECTED);

    HttpResponse<String> empty = post("");
    assertThat(empty.statusCode()).isEqualTo(400);
    assertThat(json(empty).path("error").asText()).startsWith("empty body");
    assertThat(requester.calls()).isEmpty();
  }

  @Test
  void getIs405AndWrongPathIs404() throws Exception {
    HttpResponse<String> get = http.send(request("/alerts", TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(get.headers().firstValue("Allow")).hasValue("POST");
    assertThat(json(get).path("error").asText()).contains("method not allowed");

    HttpResponse<String> put = http.send(request("/api/alerts", TOKEN)
        .PUT(HttpRequest.BodyPublishers.ofString("{\"cluster\":\"c1\"}")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(put.statusCode()).isEqualTo(405);

    assertThat(post("/alertsx", TOKEN, "{\"cluster\":\"c1\"}").statusCode()).isEqualTo(404);
    assertThat(post("/alerts/more", TOKEN, "{\"cluster\":\"c1\"}").statusCode()).isEqualTo(404);
    assertThat(post("/", TOKEN, "{\"cluster\":\"c1\"}").statusCode()).isEqualTo(404);
    assertThat(requester.calls()).isEmpty();
  }

  // ---- size limit --------------------------------------------------------------------------------

  @Test
  void oversizedBodyIs413() throws Exception {
    String big = "{\"cluster\":\"c1\",\"reason\":\"" + "x".repeat(AlertReceiver.MAX_BODY_BYTES) + "\"}";
    HttpResponse<String> r = post(big);
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(json(r).path("error").asText()).contains("larger than");

    // without a Content-Length (chunked): the limit holds while reading
    byte[] bytes = big.getBytes(StandardCharsets.UTF_8);
    HttpResponse<String> chunked = http.send(request("/alerts", TOKEN)
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(chunked.statusCode()).isEqualTo(413);
    assertThat(requester.calls()).isEmpty();
  }

  @Test
  void bodyOfExactlyOneMebibyteIsAccepted() throws Exception {
    String head = "{\"cluster\":\"c1\",\"reason\":\"limit\"}";
    String body = head + " ".repeat(AlertReceiver.MAX_BODY_BYTES - head.length());
    assertThat(body.getBytes(StandardCharsets.UTF_8)).hasSize(AlertReceiver.MAX_BODY_BYTES);
    HttpResponse<String> r = post(body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    assertThat(requester.calls()).containsExactly(new RecordingRequester.Call("c1", "limit"));
  }

  // ---- workflow engine down ----------------------------------------------------------------------

  @Test
  void requesterThrowingIs503WithoutDetails() throws Exception {
    requester.failWith = new IllegalStateException("connect to temporal:7233 failed, password=hunter2");
    HttpResponse<String> r = post("{\"cluster\":\"c1\",\"reason\":\"r\"}");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(json(r).path("error").asText())
        .isEqualTo("could not reach the workflow engine: IllegalStateException");
    assertThat(r.body()).doesNotContain("hunter2").doesNotContain("7233").doesNotContain(TOKEN);
    assertThat(requester.calls()).isEmpty();
  }

  // ---- concurrency -------------------------------------------------------------------------------

  @Test
  void fiftyConcurrentIdenticalRequestsAreEachSignalled() throws Exception {
    String body = alertmanager("firing", alert("firing", "c1", "MySQLPrimaryDown", "fp1"));
    HttpRequest req = request("/alerts", TOKEN).POST(HttpRequest.BodyPublishers.ofString(body)).build();
    List<CompletableFuture<HttpResponse<String>>> futures = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      futures.add(http.sendAsync(req, HttpResponse.BodyHandlers.ofString()));
    }
    CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    for (CompletableFuture<HttpResponse<String>> f : futures) {
      assertThat(f.get().statusCode()).as(f.get().body()).isEqualTo(202);
    }
    // one probe per request: deduplicating failovers is the watch workflow's job (one per cluster)
    assertThat(requester.calls()).hasSize(50).allSatisfy(c -> assertThat(c.cluster()).isEqualTo("c1"));
  }

  // ---- lifecycle ---------------------------------------------------------------------------------

  @Test
  void ephemeralPortAndCloseStopsServing() throws Exception {
    assertThat(receiver.port()).isPositive();
    assertThat(post("{\"cluster\":\"c1\"}").statusCode()).isEqualTo(202);
    receiver.close();
    receiver.close(); // idempotent
    HttpClient fresh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    assertThatThrownBy(() -> fresh.send(request("/alerts", TOKEN)
        .POST(HttpRequest.BodyPublishers.ofString("{\"cluster\":\"c1\"}")).build(),
        HttpResponse.BodyHandlers.ofString())).isInstanceOf(ConnectException.class);
  }

  @Test
  void startRefusesBadArguments() {
    assertThatThrownBy(() -> AlertReceiver.start("127.0.0.1:0", " ", Set.of("c1"), requester))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token");
    assertThatThrownBy(() -> AlertReceiver.start("localhost", TOKEN, Set.of("c1"), requester))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("host:port");
    assertThatThrownBy(() -> AlertReceiver.start("127.0.0.1:http", TOKEN, Set.of("c1"), requester))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AlertReceiver.start("127.0.0.1:70000", TOKEN, Set.of("c1"), requester))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(AlertReceiver.parseAddress("[::1]:9095").getPort()).isEqualTo(9095);
    assertThat(AlertReceiver.parseAddress(":9095").getAddress().isAnyLocalAddress()).isTrue();
  }
}
