package io.dataplane.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dataplane.demo.GraphQLClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Two scheduler processes under schedules that fire every second, created through the gateway as
 * alice; the leader is killed with SIGKILL. The standby leads within 10 s, and afterwards the fire
 * ledger of each schedule holds every second between its first and last fire exactly once (policy
 * {@code ALL}: none may be missing), and every fire started exactly one run, with the requestId
 * {@code scheduleId@fireTime}.
 */
class SchedulerFailoverTest {

  static final String GROUP = "st-" + UUID.randomUUID().toString().substring(0, 8);
  static final String ENV = "sf-" + UUID.randomUUID().toString().substring(0, 8);
  static final List<String> SCHEDULERS = List.of("scheduler-service", "scheduler-service-2");
  static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** Whether a scheduler says it leads, by its {@code dataplane_scheduler_leader} gauge. */
  static boolean leads(Platform platform, String scheduler) {
    ServiceProcess s = platform.services.get(scheduler);
    if (!s.alive()) {
      return false;
    }
    try {
      String metrics =
          HTTP.send(
                  HttpRequest.newBuilder(URI.create(platform.url(scheduler) + "/q/metrics"))
                      .timeout(Duration.ofSeconds(3))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      return metrics
          .lines()
          .filter(l -> l.startsWith("dataplane_scheduler_leader"))
          .anyMatch(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)) == 1.0);
    } catch (Exception e) {
      return false;
    }
  }

  static List<String> leaders(Platform platform) {
    return SCHEDULERS.stream().filter(s -> leads(platform, s)).toList();
  }

  /** The fire ledger of a schedule, oldest first. */
  static List<JsonNode> fires(GraphQLClient gql, String id) throws Exception {
    JsonNode ledger =
        gql.execute(
                "query($e: String!, $id: String!) { scheduleFires(environment: $e, id: $id, limit: 500) }",
                Map.of("e", ENV, "id", id))
            .path("scheduleFires");
    List<JsonNode> list = new ArrayList<>();
    ledger.path("items").forEach(f -> list.add(0, f));
    return list;
  }

  /** The ledgers of the schedules {@code ids}, oldest fire first. */
  static Map<String, List<JsonNode>> ledgers(GraphQLClient gql, Collection<String> ids)
      throws Exception {
    Map<String, List<JsonNode>> all = new LinkedHashMap<>();
    for (String id : ids) {
      all.put(id, fires(gql, id));
    }
    return all;
  }

  static List<String> requestIds(Map<String, List<JsonNode>> ledgers) {
    List<String> ids = new ArrayList<>();
    ledgers.values().forEach(l -> l.forEach(f -> ids.add(f.path("requestId").asText())));
    return ids;
  }

  /** Every run of the pipeline, by requestId (a list each, to see doubles). */
  static Map<String, List<JsonNode>> runsByRequest(GraphQLClient gql) throws Exception {
    Map<String, List<JsonNode>> byRequest = new HashMap<>();
    String cursor = null;
    do {
      Map<String, Object> vars = new HashMap<>();
      vars.put("e", ENV);
      vars.put("c", cursor);
      JsonNode page =
          gql.execute(
                  "query($e: String!, $c: String) { runs(environment: $e, pipeline: \"tick\","
                      + " cursor: $c, limit: 500) { items { id requestId trigger } nextCursor } }",
                  vars)
              .path("runs");
      page.path("items")
          .forEach(
              r ->
                  byRequest
                      .computeIfAbsent(r.path("requestId").asText(), k -> new ArrayList<>())
                      .add(r));
      cursor = page.path("nextCursor").isTextual() ? page.path("nextCursor").asText() : null;
    } while (cursor != null);
    return byRequest;
  }

  @Test
  void theLeaderKilledUnderPerSecondSchedulesNoFireLostOrDoubledOneRunEach() throws Exception {
    try (Platform platform = Platform.builder(ENV + "/" + GROUP).schedulers(2).start()) {
      GraphQLClient alice = platform.graphql("alice");
      alice.execute(
          "mutation($n: String!) { createEnvironment(name: $n) { name } }", Map.of("n", ENV));
      alice.execute(
          "mutation($e: String!, $n: String!) { createWorkerGroup(environment: $e, name: $n) { name } }",
          Map.of("e", ENV, "n", GROUP));
      alice.execute(
          "mutation($e: String!, $d: String!) { savePipeline(environment: $e, name: \"tick\", definition: $d) { name } }",
          Map.of(
              "e",
              ENV,
              "d",
              "workerGroup: "
                  + GROUP
                  + "\ntasks:\n  - key: tick\n    runtime: bash\n    script: echo tick\n"));
      alice.execute(
          "mutation($e: String!) { releasePipeline(environment: $e, pipeline: \"tick\") { id } }",
          Map.of("e", ENV));

      await("one scheduler leads")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> leaders(platform).size() == 1);

      // every second: a 6-field cron in two zones and an RRule
      List<Map<String, Object>> inputs =
          List.of(
              Map.of("cron", "* * * * * *", "timezone", "UTC"),
              Map.of("cron", "* * * * * *", "timezone", "Europe/Berlin"),
              Map.of("rrule", "FREQ=SECONDLY", "timezone", "UTC"));
      Map<String, Instant> created = new LinkedHashMap<>();
      try {
        for (int n = 0; n < inputs.size(); n++) {
          Map<String, Object> input = new HashMap<>(inputs.get(n));
          input.put("pipeline", "tick");
          input.put("name", "every-second-" + n);
          input.put("misfirePolicy", "ALL");
          JsonNode s =
              alice
                  .execute(
                      "mutation($e: String!, $i: ScheduleInput!) { createSchedule(environment: $e, input: $i) { id createdAt } }",
                      Map.of("e", ENV, "i", input))
                  .path("createSchedule");
          created.put(s.path("id").asText(), Instant.parse(s.path("createdAt").asText()));
        }
        await("the schedules fire")
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(250))
            .until(
                () -> {
                  for (String id : created.keySet()) {
                    if (fires(alice, id).size() < 3) {
                      return false;
                    }
                  }
                  return true;
                });

        String old = leaders(platform).get(0);
        String standby = SCHEDULERS.stream().filter(s -> !s.equals(old)).findFirst().orElseThrow();
        Instant killedAt = Instant.now();
        long killed = System.nanoTime();
        platform.kill(old);
        await("the standby leads within 10 s")
            .atMost(Duration.ofSeconds(10))
            .pollInterval(Duration.ofMillis(50))
            .until(() -> leads(platform, standby));
        long takeoverMillis = (System.nanoTime() - killed) / 1_000_000;
        // the killed one comes back, as Kubernetes would start it again, and stands by
        platform.restart(old);
        assertThat(leaders(platform)).as("leaders after the restart").containsExactly(standby);

        await("the schedules fire on under the new leader")
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(250))
            .until(
                () -> {
                  for (String id : created.keySet()) {
                    List<JsonNode> f = fires(alice, id);
                    Instant last = Instant.parse(f.get(f.size() - 1).path("fireTime").asText());
                    if (!last.isAfter(killedAt.plusSeconds(5))) {
                      return false;
                    }
                  }
                  return true;
                });
        for (String id : created.keySet()) {
          alice.execute(
              "mutation($e: String!, $id: String!) { pauseSchedule(environment: $e, id: $id) { id } }",
              Map.of("e", ENV, "id", id));
        }

        // a fire prepared before a pause still commits: read until the ledger holds still
        AtomicReference<Map<String, List<JsonNode>>> ledgers = new AtomicReference<>();
        AtomicReference<Map<String, List<JsonNode>>> runs = new AtomicReference<>();
        await("a run for every fire")
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(500))
            .until(
                () -> {
                  Map<String, List<JsonNode>> before = ledgers(alice, created.keySet());
                  runs.set(runsByRequest(alice));
                  ledgers.set(ledgers(alice, created.keySet()));
                  return before.equals(ledgers.get())
                      && runs.get().keySet().containsAll(requestIds(ledgers.get()));
                });

        long ledgerRows = 0;
        for (Map.Entry<String, Instant> e : created.entrySet()) {
          String id = e.getKey();
          List<Instant> times = new ArrayList<>();
          for (JsonNode f : ledgers.get().get(id)) {
            Instant t = Instant.parse(f.path("fireTime").asText());
            times.add(t);
            assertThat(f.path("kind").asText()).as("fire %s of %s", t, id).isEqualTo("SCHEDULED");
            assertThat(f.path("requestId").asText()).isEqualTo(id + "@" + t);
          }
          Instant first = times.get(0);
          Instant last = times.get(times.size() - 1);
          assertThat(first)
              .as("the first fire of %s is the first second after its creation", id)
              .isEqualTo(e.getValue().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1));
          assertThat(first).isBefore(killedAt);
          assertThat(last).isAfter(killedAt.plusSeconds(5));
          List<Instant> every = new ArrayList<>();
          for (Instant t = first; !t.isAfter(last); t = t.plusSeconds(1)) {
            every.add(t);
          }
          assertThat(times).as("every second fired exactly once for %s", id).isEqualTo(every);
          ledgerRows += times.size();
        }
        for (String requestId : requestIds(ledgers.get())) {
          List<JsonNode> of = runs.get().get(requestId);
          assertThat(of).as("runs of fire %s", requestId).hasSize(1);
          assertThat(of.get(0).path("trigger").asText()).isEqualTo("SCHEDULE");
        }
        assertThat(runs.get().keySet())
            .as("runs of the pipeline, by requestId: one per fire and no other")
            .containsExactlyInAnyOrderElementsOf(requestIds(ledgers.get()));
        System.out.printf(
            "scheduler failover: %s killed, %s led after %d ms; %d fires, %d runs%n",
            old, standby, takeoverMillis, ledgerRows, runs.get().size());
      } finally {
        // a schedule left behind would fire in the next platform on this database
        for (String id : created.keySet()) {
          try {
            alice.execute(
                "mutation($e: String!, $id: String!) { deleteSchedule(environment: $e, id: $id) }",
                Map.of("e", ENV, "id", id));
          } catch (Exception e) {
            System.out.println("could not delete schedule " + id + ": " + e.getMessage());
          }
        }
      }
    }
  }
}
