package io.dataplane.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dataplane.demo.GraphQLClient;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The API completeness of issue 17 on the real services. Backfills through GraphQL: a dry run lists
 * the fire times, a backfill with a cap of 1 never has more than one run in flight, its counts
 * follow, and a cancel stops the fire times not yet requested; careless and hostile inputs are
 * refused with their code. Draft history kept, diffed and restored. An environment is deleted only
 * once the scheduler, secrets-service and orchestrator hold nothing of it.
 */
class ApiCompletenessSystemTest {

  static final String X = UUID.randomUUID().toString().substring(0, 8);
  static final String ENV = "bf-" + X;
  static final String OTHER = "bf-other-" + X;

  static Platform platform;
  static GraphQLClient alice;

  @BeforeAll
  static void start() throws Exception {
    platform = Platform.builder(ENV + "/default").start();
    alice = platform.graphql("alice");
    for (String env : List.of(ENV, OTHER)) {
      alice.execute(
          "mutation($n: String!) { createEnvironment(name: $n) { name } }", Map.of("n", env));
      alice.execute(
          "mutation($e: String!, $d: String!) { savePipeline(environment: $e, name: \"nightly\","
              + " definition: $d) { name } }",
          Map.of("e", env, "d", "tasks:\n  - {key: work, runtime: bash, script: \"sleep 2\"}\n"));
      alice.execute(
          "mutation($e: String!) { releasePipeline(environment: $e, pipeline: \"nightly\","
              + " bundle: false) { id } }",
          Map.of("e", env));
    }
  }

  @AfterAll
  static void stop() {
    if (platform != null) {
      platform.close();
    }
  }

  static String schedule(String env) throws Exception {
    return schedule(env, "nightly");
  }

  static String schedule(String env, String pipeline) throws Exception {
    // paused: only the backfill starts runs
    return alice
        .execute(
            "mutation($e: String!, $p: String!) { createSchedule(environment: $e, input:"
                + " {pipeline: $p, cron: \"0 * * * *\", paused: true}) { id } }",
            Map.of("e", env, "p", pipeline))
        .path("createSchedule")
        .path("id")
        .asText();
  }

  static JsonNode backfill(String id) throws Exception {
    return alice
        .execute(
            "query($e: String!, $id: String!) { backfill(environment: $e, id: $id) { id state"
                + " total pending requested done skipped maxConcurrent } }",
            Map.of("e", ENV, "id", id))
        .path("backfill");
  }

  static List<JsonNode> runs() throws Exception {
    List<JsonNode> out = new ArrayList<>();
    alice
        .execute(
            "query($e: String!) { runs(environment: $e, pipeline: \"nightly\") { items { id state"
                + " } } }",
            Map.of("e", ENV))
        .path("runs")
        .path("items")
        .forEach(out::add);
    return out;
  }

  static long inFlight(List<JsonNode> runs) {
    return runs.stream()
        .filter(r -> List.of("QUEUED", "RUNNING").contains(r.path("state").asText()))
        .count();
  }

  static String start(String env, String id, Instant from, Instant to, Object cap)
      throws Exception {
    Map<String, Object> v = new HashMap<>();
    v.put("e", env);
    v.put("id", id);
    v.put("from", from.toString());
    v.put("to", to.toString());
    v.put("n", cap);
    return alice
        .execute(
            "mutation($e: String!, $id: String!, $from: DateTime!, $to: DateTime!, $n: Int!) {"
                + " backfillSchedule(environment: $e, id: $id, from: $from, to: $to,"
                + " maxConcurrent: $n) { id state total } }",
            v)
        .path("backfillSchedule")
        .path("id")
        .asText();
  }

  static String code(Throwable t) {
    return ((GraphQLClient.GraphQLException) t)
        .errors()
        .get(0)
        .path("extensions")
        .path("code")
        .asText();
  }

  @Test
  void aCappedBackfillRunsOneAtATimeShowsItsCountsAndStopsWhenCancelled() throws Exception {
    String id = schedule(ENV);
    Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS);
    Instant from = hour.minus(6, ChronoUnit.HOURS).plus(30, ChronoUnit.MINUTES);
    Instant to = hour.minus(30, ChronoUnit.MINUTES);

    JsonNode preview =
        alice
            .execute(
                "query($e: String!, $id: String!, $from: DateTime!, $to: DateTime!) {"
                    + " backfillPreview(environment: $e, id: $id, from: $from, to: $to) {"
                    + " fireTimes alreadyFired } }",
                Map.of("e", ENV, "id", id, "from", from.toString(), "to", to.toString()))
            .path("backfillPreview");
    assertThat(preview.path("fireTimes")).hasSize(5);
    assertThat(preview.path("alreadyFired")).isEmpty();

    String backfill = start(ENV, id, from, to, 1);
    JsonNode b = backfill(backfill);
    assertThat(b.path("total").asInt()).isEqualTo(5);
    assertThat(b.path("maxConcurrent").asInt()).isEqualTo(1);

    // never more than one run in flight, while two of them finish one after the other
    AtomicInteger mostInFlight = new AtomicInteger();
    await("two backfilled runs done")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              List<JsonNode> rs = runs();
              mostInFlight.accumulateAndGet((int) inFlight(rs), Math::max);
              JsonNode now = backfill(backfill);
              assertThat(now.path("requested").asInt()).isLessThanOrEqualTo(1);
              return now.path("done").asInt() >= 2;
            });
    assertThat(mostInFlight.get()).isLessThanOrEqualTo(1);
    JsonNode running = backfill(backfill);
    assertThat(running.path("state").asText()).isEqualTo("RUNNING");
    assertThat(
            running.path("pending").asInt()
                + running.path("requested").asInt()
                + running.path("done").asInt()
                + running.path("skipped").asInt())
        .isEqualTo(5);

    String cancel =
        "mutation($e: String!, $id: String!) { cancelBackfill(environment: $e, id: $id) { state"
            + " pending } }";
    JsonNode cancelled =
        alice.execute(cancel, Map.of("e", ENV, "id", backfill)).path("cancelBackfill");
    assertThat(cancelled.path("state").asText()).isEqualTo("CANCELLED");
    // twice: the same answer, nothing else happens
    assertThat(
            alice
                .execute(cancel, Map.of("e", ENV, "id", backfill))
                .path("cancelBackfill")
                .path("state")
                .asText())
        .isEqualTo("CANCELLED");
    // the run in flight ends; no further fire time is requested
    await("the run in flight ends")
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(300))
        .until(() -> inFlight(runs()) == 0);
    int after = runs().size();
    assertThat(after).isLessThan(5);
    await("no run after the cancel")
        .during(Duration.ofSeconds(5))
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> runs().size() == after);
    assertThat(backfill(backfill).path("pending").asInt()).isGreaterThan(0);
  }

  @Test
  void draftHistoryAndEnvironmentDeletionAcrossTheServices() throws Exception {
    String env = "gone-" + X;
    alice.execute(
        "mutation($n: String!) { createEnvironment(name: $n) { name } }", Map.of("n", env));
    String save =
        "mutation($e: String!, $d: String!) { savePipeline(environment: $e, name: \"etl\","
            + " definition: $d) { name } }";
    String one = "tasks:\n  - {key: a, runtime: bash, script: echo one}\n";
    alice.execute(save, Map.of("e", env, "d", one));
    alice.execute(save, Map.of("e", env, "d", "# the same\n" + one));
    alice.execute(
        save, Map.of("e", env, "d", "tasks:\n  - {key: a, runtime: bash, script: echo two}\n"));
    String history =
        "query($e: String!) { draftHistory(environment: $e, pipeline: \"etl\") { id version"
            + " savedBy digest restoredFrom } }";
    JsonNode h = alice.execute(history, Map.of("e", env)).path("draftHistory");
    assertThat(h).hasSize(2);
    String first = h.get(1).path("id").asText();
    JsonNode diff =
        alice
            .execute(
                "query($e: String!, $a: String!) { draftDiff(environment: $e, pipeline: \"etl\","
                    + " from: $a) }",
                Map.of("e", env, "a", first))
            .path("draftDiff");
    assertThat(diff.path("changes").toString()).contains("tasks.a.script");
    alice.execute(
        "mutation($e: String!, $id: String!) { restoreDraft(environment: $e, pipeline: \"etl\","
            + " id: $id) { name } }",
        Map.of("e", env, "id", first));
    JsonNode after = alice.execute(history, Map.of("e", env)).path("draftHistory");
    assertThat(after).hasSize(3);
    assertThat(after.get(0).path("restoredFrom").asText()).isEqualTo(first);
    assertThat(after.get(0).path("digest").asText()).isEqualTo(h.get(1).path("digest").asText());

    // a schedule (scheduler) and a secret (secrets-service) keep it, and say so
    String schedule = schedule(env, "etl");
    // a loaded machine may time the first write out: setting a secret again only adds a version
    await("secret TOKEN set")
        .atMost(Duration.ofMinutes(1))
        .ignoreExceptions()
        .until(
            () ->
                alice
                    .execute(
                        "mutation($e: String!) { setSecret(environment: $e, name: \"TOKEN\","
                            + " value: \"x\") { name } }",
                        Map.of("e", env))
                    .path("setSecret")
                    .has("name"));
    String delete = "mutation($n: String!) { deleteEnvironment(name: $n) }";
    assertThatThrownBy(() -> alice.execute(delete, Map.of("n", env)))
        .satisfies(t -> assertThat(code(t)).isEqualTo("CONFLICT"))
        .hasMessageContaining("1 pipeline(s): etl")
        .hasMessageContaining("1 schedule(s)")
        .hasMessageContaining("1 secret(s): TOKEN");
    alice.execute(
        "mutation($e: String!, $s: String!) { deleteSchedule(environment: $e, id: $s)"
            + " deleteSecret(environment: $e, name: \"TOKEN\") deletePipeline(environment: $e,"
            + " name: \"etl\") }",
        Map.of("e", env, "s", schedule));
    assertThat(alice.execute(delete, Map.of("n", env)).path("deleteEnvironment").asBoolean())
        .isTrue();
    assertThatThrownBy(() -> alice.execute(delete, Map.of("n", env)))
        .satisfies(t -> assertThat(code(t)).isEqualTo("NOT_FOUND"));
    // the name can be used again, empty
    alice.execute(
        "mutation($n: String!) { createEnvironment(name: $n) { name } }", Map.of("n", env));
    assertThat(
            alice
                .execute(
                    "query($e: String!) { pipelines(environment: $e) { name } }", Map.of("e", env))
                .path("pipelines"))
        .isEmpty();
  }

  @Test
  void carelessAndHostileBackfillsAreRefused() throws Exception {
    String id = schedule(ENV);
    String foreign = schedule(OTHER);
    Instant to = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(1, ChronoUnit.DAYS);
    Instant from = to.minus(3, ChronoUnit.HOURS);
    // ten years of an hourly schedule: more fire times than one backfill may hold
    assertThatThrownBy(() -> start(ENV, id, to.minus(3650, ChronoUnit.DAYS), to, 1))
        .satisfies(t -> assertThat(code(t)).isEqualTo("INVALID_INPUT"))
        .hasMessageContaining("shorter window");
    for (int cap : new int[] {0, 1_000_000}) {
      assertThatThrownBy(() -> start(ENV, id, from, to, cap))
          .satisfies(t -> assertThat(code(t)).isEqualTo("INVALID_INPUT"))
          .hasMessageContaining("maxConcurrent");
    }
    // another environment's schedule, named through this one
    assertThatThrownBy(() -> start(ENV, foreign, from, to, 1))
        .satisfies(t -> assertThat(code(t)).isEqualTo("NOT_FOUND"));
    assertThat(
            alice
                .execute(
                    "query($e: String!, $id: String!) { backfills(environment: $e, scheduleId:"
                        + " $id) { id } }",
                    Map.of("e", OTHER, "id", foreign))
                .path("backfills"))
        .isEmpty();
    // a backfill of the other environment (no worker serves it) is unknown through this one
    String theirs = start(OTHER, foreign, from, to, 1);
    String cancel =
        "mutation($e: String!, $id: String!) { cancelBackfill(environment: $e, id: $id) { state"
            + " } }";
    assertThatThrownBy(() -> alice.execute(cancel, Map.of("e", ENV, "id", theirs)))
        .satisfies(t -> assertThat(code(t)).isEqualTo("NOT_FOUND"));
    assertThat(
            alice
                .execute(cancel, Map.of("e", OTHER, "id", theirs))
                .path("cancelBackfill")
                .path("state")
                .asText())
        .isEqualTo("CANCELLED");
  }
}
