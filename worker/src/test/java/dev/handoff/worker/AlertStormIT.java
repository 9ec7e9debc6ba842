package dev.handoff.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.config.WorkerSettings;
import dev.handoff.lab.LabExtension;
import dev.handoff.recovery.WatchStatus;
import dev.handoff.support.Secrets;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Fifty identical alerts within a second, with no watch running yet, give exactly one recovery. */
class AlertStormIT {
  @RegisterExtension
  static final LabExtension LAB = LabExtension.clusters(1).replicas(2);
  static WorkerHarness harness;

  @BeforeAll
  static void startWorker() {
    var c = LAB.info().config();
    WorkerSettings w = c.worker();
    // No watch at start: the alerts themselves start it (signal-with-start).
    harness = new WorkerHarness(WorkerHarness.withWorker(c,
        new WorkerSettings(null, w.alertsListen(), w.alertsToken(), false, w.cooldownSeconds())));
  }

  @AfterAll
  static void stopWorker() {
    if (harness != null) {
      harness.close();
    }
  }

  @Test
  void fiftyAlertsForADeadPrimaryGiveOneRecovery() throws Exception {
    String dead = harness.status("c1").kvPrimary();
    LAB.info().mariadb("c1", dead).signal("KILL");
    String body = """
        {"version":"4","status":"firing","receiver":"handoff","groupKey":"{}:{alertname=\\"MySQLPrimaryDown\\"}",
         "alerts":[{"status":"firing","labels":{"alertname":"MySQLPrimaryDown","cluster":"c1"},
                    "annotations":{},"startsAt":"2026-11-26T00:00:00Z","fingerprint":"f00d"}]}""";
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + harness.config.worker().alertsListen()
            + "/alerts"))
        .header("Authorization", "Bearer " + Secrets.resolve(harness.config.worker().alertsToken()))
        .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofString(body)).build();
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int i = 0; i < 50; i++) {
      calls.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
    }
    for (var call : calls) {
      HttpResponse<String> response = call.get(30, TimeUnit.SECONDS);
      assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }
    System.out.printf("50 alerts answered in %.0f ms%n", (System.nanoTime() - t0) / 1e6);

    WatchStatus w = harness.awaitRecoveries("c1", 1, 30_000);
    assertThat(w.recoveries()).as("watch: " + w).isEqualTo(1);
    Thread.sleep(5000);
    WatchStatus later = harness.watch("c1");
    assertThat(later.recoveries()).isEqualTo(1);
    assertThat(later.alertsReceived()).isEqualTo(50);
    assertThat(harness.status("c1").kvEpoch()).isEqualTo(2L);
    harness.awaitHealthy("c1", 10_000);
  }
}
