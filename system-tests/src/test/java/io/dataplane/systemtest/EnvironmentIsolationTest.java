package io.dataplane.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dataplane.common.json.Json;
import io.dataplane.demo.GraphQLClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A user with every right on {@code dev} and none on {@code prod} (bob, signed in at the real
 * Keycloak) is refused every GraphQL field, subscription and REST call that reaches a {@code prod}
 * object, with the code docs/graphql.md gives (FORBIDDEN for what is named by its environment,
 * NOT_FOUND for what is fetched by id), and learns nothing about it from the answer, while the same
 * operations on {@code dev} succeed. Afterwards the {@code prod} objects are as alice left them.
 * The schema is walked: every root field must be in the matrix (or be one that reaches no
 * environment's objects), so a new field without a check cannot go unnoticed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EnvironmentIsolationTest {

  static final String X = UUID.randomUUID().toString().substring(0, 8);

  /** The worker group the platform's worker serves. */
  static final String GROUP = "iso-" + X;

  /** A worker group nobody serves: its runs stay QUEUED. */
  static final String IDLE = "idle-" + X;

  /** The objects alice creates in one environment. */
  record Env(
      String name,
      String marker,
      String runId,
      String taskRunId,
      String releaseId,
      String digest,
      String queuedRunId,
      String watchedRunId,
      String scheduleId,
      String triggerId,
      String channelId,
      String ruleId,
      String carolBindingId,
      String sleeperRunId,
      String backfillId,
      String draftId) {}

  /** A GraphQL document and its variables. */
  record Call(String query, Map<String, Object> variables) {
    String text() {
      return query + " " + variables;
    }
  }

  /**
   * One operation of the matrix: the root {@code field} it calls, its call on prod and on dev (none
   * for a variant whose dev side another op tries), the code prod must be refused with, and whether
   * dev allows it (false for admin-only fields).
   */
  record Op(
      String field,
      String label,
      Function<Env, Call> prodCall,
      Function<Env, Call> devCall,
      String prodCode,
      boolean devAllowed) {}

  /**
   * Root fields that reach no environment's objects: the caller's own identity and API keys, and
   * the environment list (checked on its own below).
   */
  static final Set<String> NOT_ENVIRONMENT_SCOPED =
      Set.of("me", "environments", "apiKeys", "createApiKey", "revokeApiKey");

  static Platform platform;
  static Env dev;
  static Env prod;
  static String qa;
  static RecordedGraphQL alice;
  static RecordedGraphQL bob;

  @BeforeAll
  static void start() throws Exception {
    // the packaged gateway has introspection off (production); the schema walk needs it
    Map<String, String> env = new HashMap<>();
    env.put("_PROD_QUARKUS_SMALLRYE_GRAPHQL_FIELD_VISIBILITY", "default");
    // one worker may serve groups of several environments (an operator's choice, spelled out)
    platform =
        Platform.start(
            "dev-" + X + "/" + GROUP + ",prod-" + X + "/" + GROUP + ",qa-" + X + "/" + GROUP, env);
    alice = new RecordedGraphQL(platform, "alice");
    bob = new RecordedGraphQL(platform, "bob");
    dev = populate("dev-" + X, false);
    // a prod attempt keeps running on the worker that serves both dev's and prod's group
    prod = populate("prod-" + X, true);
    // a third environment bob may release into: the target of a promotion from dev
    qa = "qa-" + X;
    alice.data("mutation($e: String!) { createEnvironment(name: $e) { name } }", Map.of("e", qa));
    alice.data(
        "mutation($e: String!, $g: String!) { createWorkerGroup(environment: $e, name: $g) { name } }",
        Map.of("e", qa, "g", GROUP));
    bind("bob", dev.name(), List.of("READ", "WRITE", "DELETE", "EXECUTE", "SECRETS", "RELEASE"));
    bind("bob", qa, List.of("RELEASE"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (platform == null) {
      return;
    }
    try {
      if (prod != null) {
        // the sleeping attempt would hold the worker's shutdown for its grace period
        alice.raw(
            "mutation($id: String!) { cancelRun(id: $id) { state } }",
            Map.of("id", prod.sleeperRunId()));
      }
    } finally {
      platform.close();
    }
  }

  static String bind(String user, String env, List<String> permissions) throws Exception {
    return alice
        .data(
            "mutation($e: String, $s: String!) { bindRole(input: {subjectKind: USER, subject: $s, scopeKind: ENVIRONMENT, environment: $e, permissions: ["
                + String.join(", ", permissions)
                + "]}) { id } }",
            Map.of("e", env, "s", user))
        .path("bindRole")
        .path("id")
        .asText();
  }

  static String definition(String marker, String extra) {
    return """
        description: %s %s
        workerGroup: %s
        tasks:
          - key: hello
            runtime: bash
            script: |
              echo "hello from %s"
              exit 3
        """
        .formatted(marker, extra, GROUP, marker);
  }

  /** As alice: an environment with a pipeline, releases, runs, secrets, files and a schedule. */
  static Env populate(String env, boolean sleeper) throws Exception {
    String marker = "marker-" + UUID.randomUUID();
    Map<String, Object> e = Map.of("e", env, "m", marker);
    alice.data(
        "mutation($e: String!, $m: String) { createEnvironment(name: $e, description: $m) { name } }",
        e);
    for (String g : List.of(GROUP, IDLE)) {
      alice.data(
          "mutation($e: String!, $g: String!, $m: String) { createWorkerGroup(environment: $e, name: $g, description: $m) { name } }",
          Map.of("e", env, "g", g, "m", marker));
    }
    for (String s : List.of("TOKEN", "DOOMED")) {
      alice.data(
          "mutation($e: String!, $n: String!, $v: String!) { setSecret(environment: $e, name: $n, value: $v) { version } }",
          Map.of("e", env, "n", s, "v", "value-of-" + marker));
    }
    alice.data(
        "mutation($e: String!) { grantSecret(environment: $e, name: \"TOKEN\", pipelines: [\"p\"]) { name } }",
        Map.of("e", env));
    save(env, "p", definition(marker, ""));
    save(env, "doomed", definition(marker, ""));
    for (String f : List.of("main.sh", "extra.sh", "gone.sh", "rest-gone.sh")) {
      alice.data(
          "mutation($e: String!, $f: String!, $m: String!) { writeFile(environment: $e, pipeline: \"p\", path: $f, content: $m) { path } }",
          Map.of("e", env, "f", f, "m", "echo " + marker));
    }
    JsonNode release =
        alice
            .data(
                "mutation($e: String!) { releasePipeline(environment: $e, pipeline: \"p\") { id digest } }",
                Map.of("e", env))
            .path("releasePipeline");
    save(
        env,
        "slow",
        "workerGroup: "
            + IDLE
            + "\ntasks:\n  - key: wait\n    runtime: bash\n    script: exit 0\n");
    alice.data(
        "mutation($e: String!) { releasePipeline(environment: $e, pipeline: \"slow\") { id } }",
        Map.of("e", env));
    String runId = start(env, "p");
    String queued = start(env, "slow");
    String watched = start(env, "slow");
    String schedule =
        alice
            .data(
                "mutation($e: String!, $m: String) { createSchedule(environment: $e, input: {pipeline: \"p\", name: \"yearly\", cron: \"0 0 1 1 *\", description: $m}) { id } }",
                e)
            .path("createSchedule")
            .path("id")
            .asText();
    String trigger =
        alice
            .data(
                "mutation($e: String!) { createTrigger(environment: $e, input: {pipeline: \"p\", kind: \"COMPLETION\", upstreamPipeline: \"slow\", paused: true}) { id } }",
                Map.of("e", env))
            .path("createTrigger")
            .path("id")
            .asText();
    // a public address literal: no DNS lookup, and not refused as internal
    String channel =
        alice
            .data(
                "mutation($e: String!) { createNotificationChannel(environment: $e, input: {name: \"ops\", kind: \"WEBHOOK\", url: \"https://93.184.216.34/hook\", secretName: \"NOTIFY_HOOK\"}) { id } }",
                Map.of("e", env))
            .path("createNotificationChannel")
            .path("id")
            .asText();
    String rule =
        alice
            .data(
                "mutation($e: String!, $c: String!) { createNotificationRule(environment: $e, input: {name: \"failures\", events: [\"RUN_FAILED\"], channelId: $c}) { id } }",
                Map.of("e", env, "c", channel))
            .path("createNotificationRule")
            .path("id")
            .asText();
    String carol = bind("carol", env, List.of("READ"));
    // a backfill of a window without fire times: done at once, no run
    String backfill =
        alice
            .data(
                "mutation($e: String!, $s: String!) { backfillSchedule(environment: $e, id: $s, from: \"2025-01-02T00:00:00Z\", to: \"2025-01-03T00:00:00Z\") { id } }",
                Map.of("e", env, "s", schedule))
            .path("backfillSchedule")
            .path("id")
            .asText();
    String draft =
        alice
            .data(
                "query($e: String!) { draftHistory(environment: $e, pipeline: \"p\") { id } }",
                Map.of("e", env))
            .path("draftHistory")
            .get(0)
            .path("id")
            .asText();
    String sleeperRun = sleeper ? sleeper(env) : null;
    JsonNode[] run = {null};
    await(env + " run of p fails")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              run[0] =
                  alice
                      .data(
                          "query($id: String!) { run(id: $id) { state taskRuns { id } } }",
                          Map.of("id", runId))
                      .path("run");
              return "FAILED".equals(run[0].path("state").asText());
            });
    return new Env(
        env,
        marker,
        runId,
        run[0].path("taskRuns").get(0).path("id").asText(),
        release.path("id").asText(),
        release.path("digest").asText(),
        queued,
        watched,
        schedule,
        trigger,
        channel,
        rule,
        carol,
        sleeperRun,
        backfill,
        draft);
  }

  /** A run whose task sleeps on the worker; returns once the worker reports it running. */
  static String sleeper(String env) throws Exception {
    save(
        env,
        "sleeper",
        "workerGroup: "
            + GROUP
            + "\ntasks:\n  - key: sleep\n    runtime: bash\n    script: sleep 600\n");
    alice.data(
        "mutation($e: String!) { releasePipeline(environment: $e, pipeline: \"sleeper\") { id } }",
        Map.of("e", env));
    String id = start(env, "sleeper");
    await(env + " sleeper runs on the worker")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () ->
                alice
                    .raw(
                        "query($e: String!) { workers(environment: $e) { running } }",
                        Map.of("e", env))
                    .toString()
                    .contains(id));
    return id;
  }

  static void save(String env, String pipeline, String definition) throws Exception {
    alice.data(
        "mutation($e: String!, $p: String!, $d: String!) { savePipeline(environment: $e, name: $p, definition: $d) { name } }",
        Map.of("e", env, "p", pipeline, "d", definition));
  }

  static String start(String env, String pipeline) throws Exception {
    return alice
        .data(
            "mutation($e: String!, $p: String!) { startRun(environment: $e, pipeline: $p) { id } }",
            Map.of("e", env, "p", pipeline))
        .path("startRun")
        .path("id")
        .asText();
  }

  static Call call(String query, Object... kv) {
    Map<String, Object> vars = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      vars.put((String) kv[i], kv[i + 1]);
    }
    return new Call(query, vars);
  }

  /** The same call on either environment. */
  static Op both(String field, String code, Function<Env, Call> c) {
    return new Op(field, field, c, c, code, true);
  }

  static Op adminOnly(String field, Function<Env, Call> c) {
    return new Op(field, field + " (admins only)", c, c, "FORBIDDEN", false);
  }

  /** A prod object reached through dev (the op of the field itself tries it on dev). */
  static Op through(String field, String label, Function<Env, Call> c) {
    return new Op(field, label, e -> c.apply(prod), null, "NOT_FOUND", true);
  }

  static final String F = "FORBIDDEN";
  static final String N = "NOT_FOUND";

  /** Queries, in the order they are tried. */
  static List<Op> queries() {
    List<Op> ops = new ArrayList<>();
    ops.add(
        both(
            "environment",
            F,
            e ->
                call(
                    "query($e: String!) { environment(name: $e) { name description } }",
                    "e",
                    e.name())));
    ops.add(
        both(
            "workerGroups",
            F,
            e ->
                call(
                    "query($e: String!) { workerGroups(environment: $e) { name description } }",
                    "e",
                    e.name())));
    ops.add(
        both(
            "workers",
            F,
            e ->
                call(
                    "query($e: String!) { workers(environment: $e) { workerId groups running } }",
                    "e",
                    e.name())));
    ops.add(
        both(
            "pipelines",
            F,
            e ->
                call(
                    "query($e: String!) { pipelines(environment: $e) { name definition } }",
                    "e",
                    e.name())));
    ops.add(
        both(
            "pipeline",
            F,
            e ->
                call(
                    "query($e: String!) { pipeline(environment: $e, name: \"p\") { name definition } }",
                    "e",
                    e.name())));
    ops.add(
        both(
            "files",
            F,
            e ->
                call(
                    "query($e: String!) { files(environment: $e, pipeline: \"p\") { path digest } }",
                    "e",
                    e.name())));
    ops.add(
        both(
            "file",
            F,
            e ->
                call(
                    "query($e: String!) { file(environment: $e, pipeline: \"p\", path: \"main.sh\") { text } }",
                    "e",
                    e.name())));
    ops.add(
        both(
            "releases",
            F,
            e ->
                call(
                    "query($e: String!) { releases(environment: $e, pipeline: \"p\") { id digest definition } }",
                    "e",
                    e.name())));
    ops.add(
        both(
            "deployments",
            F,
            e ->
                call(
                    "query($e: String!) { deployments(environment: $e, pipeline: \"p\") { id kind releaseId } }",
                    "e",
                    e.name())));
    ops.add(
        both(
            "release",
            N,
            e ->
                call(
                    "query($id: String!) { release(id: $id) { id digest definition } }",
                    "id",
                    e.releaseId())));
    ops.add(
        new Op(
            "releaseDiff",
            "releaseDiff (dev release to prod release)",
            e ->
                call(
                    "query($a: String!, $b: String!) { releaseDiff(from: $a, to: $b) }",
                    "a",
                    dev.releaseId(),
                    "b",
                    prod.releaseId()),
            e ->
                call(
                    "query($a: String!, $b: String!) { releaseDiff(from: $a, to: $b) }",
                    "a",
                    dev.releaseId(),
                    "b",
                    dev.releaseId()),
            N,
            true));
    ops.add(
        both(
            "runs",
            F,
            e ->
                call(
                    "query($e: String!) { runs(environment: $e) { items { id state params } } }",
                    "e",
                    e.name())));
    ops.add(
        both(
            "run",
            N,
            e ->
                call(
                    "query($id: String!) { run(id: $id) { id state taskRuns { id outputs error } } }",
                    "id",
                    e.runId())));
    ops.add(
        both(
            "logs",
            N,
            e ->
                call(
                    "query($t: String!, $r: String) { logs(taskRunId: $t, runId: $r) { lines { text } complete } }",
                    "t",
                    e.taskRunId(),
                    "r",
                    e.runId())));
    ops.add(
        new Op(
            "logs",
            "logs (prod task run named with a dev run)",
            e ->
                call(
                    "query($t: String!, $r: String) { logs(taskRunId: $t, runId: $r) { lines { text } } }",
                    "t",
                    prod.taskRunId(),
                    "r",
                    dev.runId()),
            null,
            N,
            true));
    ops.add(
        new Op(
            "logs",
            "logs (prod task run by its id alone)",
            e ->
                call(
                    "query($t: String!) { logs(taskRunId: $t) { lines { text } } }",
                    "t",
                    prod.taskRunId()),
            null,
            N,
            true));
    ops.add(
        both(
            "schedules",
            F,
            e ->
                call(
                    "query($e: String!) { schedules(environment: $e) { id description state paused } }",
                    "e",
                    e.name())));
    ops.add(
        both(
            "schedule",
            F,
            e ->
                call(
                    "query($e: String!, $id: String!) { schedule(environment: $e, id: $id) { id description } }",
                    "e",
                    e.name(),
                    "id",
                    e.scheduleId())));
    ops.add(
        through(
            "schedule",
            "schedule (prod schedule through dev)",
            e ->
                call(
                    "query($e: String!, $id: String!) { schedule(environment: $e, id: $id) { id description } }",
                    "e",
                    dev.name(),
                    "id",
                    e.scheduleId())));
    ops.add(
        both(
            "scheduleDraftPreview",
            F,
            e ->
                call(
                    "query($e: String!) { scheduleDraftPreview(environment: $e, input: {pipeline: \"p\", cron: \"0 6 * * *\"}) }",
                    "e",
                    e.name())));
    ops.add(
        both(
            "schedulePreview",
            F,
            e ->
                call(
                    "query($e: String!, $id: String!) { schedulePreview(environment: $e, id: $id) }",
                    "e",
                    e.name(),
                    "id",
                    e.scheduleId())));
    ops.add(
        through(
            "schedulePreview",
            "schedulePreview (prod schedule through dev)",
            e ->
                call(
                    "query($e: String!, $id: String!) { schedulePreview(environment: $e, id: $id) }",
                    "e",
                    dev.name(),
                    "id",
                    e.scheduleId())));
    String empty = "from: \"2025-01-02T00:00:00Z\", to: \"2025-01-03T00:00:00Z\"";
    ops.add(
        both(
            "backfillPreview",
            F,
            e ->
                call(
                    "query($e: String!, $id: String!) { backfillPreview(environment: $e, id: $id, "
                        + empty
                        + ") { fireTimes } }",
                    "e",
                    e.name(),
                    "id",
                    e.scheduleId())));
    ops.add(
        through(
            "backfillPreview",
            "backfillPreview (prod schedule through dev)",
            e ->
                call(
                    "query($e: String!, $id: String!) { backfillPreview(environment: $e, id: $id, "
                        + empty
                        + ") { fireTimes } }",
                    "e",
                    dev.name(),
                    "id",
                    e.scheduleId())));
    ops.add(
        both(
            "backfills",
            F,
            e ->
                call(
                    "query($e: String!, $id: String!) { backfills(environment: $e, scheduleId: $id) { id state } }",
                    "e",
                    e.name(),
                    "id",
                    e.scheduleId())));
    ops.add(
        through(
            "backfills",
            "backfills (prod schedule through dev)",
            e ->
                call(
                    "query($e: String!, $id: String!) { backfills(environment: $e, scheduleId: $id) { id state } }",
                    "e",
                    dev.name(),
                    "id",
                    e.scheduleId())));
    ops.add(
        both(
            "backfill",
            F,
            e ->
                call(
                    "query($e: String!, $id: String!) { backfill(environment: $e, id: $id) { id state total } }",
                    "e",
                    e.name(),
                    "id",
                    e.backfillId())));
    ops.add(
        through(
            "backfill",
            "backfill (prod backfill through dev)",
            e ->
                call(
                    "query($e: String!, $id: String!) { backfill(environment: $e, id: $id) { id state total } }",
                    "e",
                    dev.name(),
                    "id",
                    e.backfillId())));
    ops.add(
        both(
            "draftHistory",
            F,
            e ->
                call(
                    "query($e: String!) { draftHistory(environment: $e, pipeline: \"p\") { id digest savedBy } }",
                    "e",
                    e.name())));
    ops.add(
        both(
            "draftVersion",
            F,
            e ->
                call(
                    "query($e: String!, $id: String!) { draftVersion(environment: $e, pipeline: \"p\", id: $id) { source } }",
                    "e",
                    e.name(),
                    "id",
                    e.draftId())));
    ops.add(
        through(
            "draftVersion",
            "draftVersion (prod version through dev)",
            e ->
                call(
                    "query($e: String!, $id: String!) { draftVersion(environment: $e, pipeline: \"p\", id: $id) { source } }",
                    "e",
                    dev.name(),
                    "id",
                    e.draftId())));
    ops.add(
        both(
            "draftDiff",
            F,
            e ->
                call(
                    "query($e: String!, $a: String!, $b: String!) { draftDiff(environment: $e, pipeline: \"p\", from: $a, to: $b) }",
                    "e",
                    e.name(),
                    "a",
                    e.draftId(),
                    "b",
                    e.releaseId())));
    ops.add(
        through(
            "draftDiff",
            "draftDiff (prod version and release through dev)",
            e ->
                call(
                    "query($e: String!, $a: String!, $b: String!) { draftDiff(environment: $e, pipeline: \"p\", from: $a, to: $b) }",
                    "e",
                    dev.name(),
                    "a",
                    e.draftId(),
                    "b",
                    e.releaseId())));
    ops.add(
        through(
            "scheduleFires",
            "scheduleFires (prod schedule through dev)",
            e ->
                call(
                    "query($e: String!, $id: String!) { scheduleFires(environment: $e, id: $id) }",
                    "e",
                    dev.name(),
                    "id",
                    e.scheduleId())));
    ops.add(
        both(
            "scheduleFires",
            F,
            e ->
                call(
                    "query($e: String!, $id: String!) { scheduleFires(environment: $e, id: $id) }",
                    "e",
                    e.name(),
                    "id",
                    e.scheduleId())));
    // dev's answer is null while nobody holds the lock, which the matrix reads as refused: the
    // dev side (read allows it) is CliSystemTest's lock status; here prod must refuse
    ops.add(
        new Op(
            "applyLock",
            "applyLock",
            e -> call("query($e: String!) { applyLock(environment: $e) { owner } }", "e", e.name()),
            null,
            F,
            true));
    ops.add(
        both(
            "triggers",
            F,
            e ->
                call(
                    "query($e: String!) { triggers(environment: $e) { id pipeline kind } }",
                    "e",
                    e.name())));
    ops.add(
        both(
            "trigger",
            F,
            e ->
                call(
                    "query($e: String!, $id: String!) { trigger(environment: $e, id: $id) { id pipeline } }",
                    "e",
                    e.name(),
                    "id",
                    e.triggerId())));
    ops.add(
        through(
            "trigger",
            "trigger (prod trigger through dev)",
            e ->
                call(
                    "query($e: String!, $id: String!) { trigger(environment: $e, id: $id) { id pipeline } }",
                    "e",
                    dev.name(),
                    "id",
                    e.triggerId())));
    ops.add(
        both(
            "triggerFires",
            F,
            e ->
                call(
                    "query($e: String!, $id: String!) { triggerFires(environment: $e, id: $id) }",
                    "e",
                    e.name(),
                    "id",
                    e.triggerId())));
    ops.add(
        both(
            "notificationChannels",
            F,
            e ->
                call(
                    "query($e: String!) { notificationChannels(environment: $e) { id url } }",
                    "e",
                    e.name())));
    ops.add(
        both(
            "notificationRules",
            F,
            e ->
                call(
                    "query($e: String!) { notificationRules(environment: $e) { id channelId } }",
                    "e",
                    e.name())));
    ops.add(
        both(
            "notificationDeliveries",
            F,
            e ->
                call(
                    "query($e: String!) { notificationDeliveries(environment: $e) { delivery { id facts } } }",
                    "e",
                    e.name())));
    ops.add(
        both(
            "secrets",
            F,
            e ->
                call(
                    "query($e: String!) { secrets(environment: $e) { name version grants { pipelines } } }",
                    "e",
                    e.name())));
    ops.add(
        both(
            "secret",
            F,
            e ->
                call(
                    "query($e: String!) { secret(environment: $e, name: \"TOKEN\") { name version } }",
                    "e",
                    e.name())));
    ops.add(
        both(
            "secretAudit",
            F,
            e ->
                call(
                    "query($e: String!) { secretAudit(environment: $e, name: \"TOKEN\") { action actor } }",
                    "e",
                    e.name())));
    ops.add(
        adminOnly(
            "roleBindings",
            e ->
                call(
                    "query($e: String) { roleBindings(environment: $e) { id subject } }",
                    "e",
                    e.name())));
    ops.add(
        adminOnly(
            "auditLog",
            e ->
                call(
                    "query($e: String) { auditLog(environment: $e) { action summary } }",
                    "e",
                    e.name())));
    return ops;
  }

  /** Mutations, in the order they are tried (on dev some depend on the ones before). */
  static List<Op> mutations() {
    List<Op> ops = new ArrayList<>();
    ops.add(
        adminOnly(
            "createEnvironment",
            e ->
                call(
                    "mutation($e: String!) { createEnvironment(name: $e) { name } }",
                    "e",
                    e.name() + "-bob")));
    ops.add(
        adminOnly(
            "updateEnvironment",
            e ->
                call(
                    "mutation($e: String!) { updateEnvironment(name: $e, description: \"bob was here\") { name } }",
                    "e",
                    e.name())));
    ops.add(
        adminOnly(
            "deleteEnvironment",
            e -> call("mutation($e: String!) { deleteEnvironment(name: $e) }", "e", e.name())));
    ops.add(
        both(
            "restoreDraft",
            F,
            e ->
                call(
                    "mutation($e: String!, $id: String!) { restoreDraft(environment: $e, pipeline: \"p\", id: $id) { name } }",
                    "e",
                    e.name(),
                    "id",
                    e.draftId())));
    ops.add(
        through(
            "restoreDraft",
            "restoreDraft (prod version through dev)",
            e ->
                call(
                    "mutation($e: String!, $id: String!) { restoreDraft(environment: $e, pipeline: \"p\", id: $id) { name } }",
                    "e",
                    dev.name(),
                    "id",
                    e.draftId())));
    ops.add(
        both(
            "cancelBackfill",
            F,
            e ->
                call(
                    "mutation($e: String!, $id: String!) { cancelBackfill(environment: $e, id: $id) { state } }",
                    "e",
                    e.name(),
                    "id",
                    e.backfillId())));
    ops.add(
        through(
            "cancelBackfill",
            "cancelBackfill (prod backfill through dev)",
            e ->
                call(
                    "mutation($e: String!, $id: String!) { cancelBackfill(environment: $e, id: $id) { state } }",
                    "e",
                    dev.name(),
                    "id",
                    e.backfillId())));
    ops.add(
        both(
            "createWorkerGroup",
            F,
            e ->
                call(
                    "mutation($e: String!) { createWorkerGroup(environment: $e, name: \"bobs\") { name } }",
                    "e",
                    e.name())));
    ops.add(
        both(
            "updateWorkerGroup",
            F,
            e ->
                call(
                    "mutation($e: String!) { updateWorkerGroup(environment: $e, name: \"default\", description: \"bob was here\") { name } }",
                    "e",
                    e.name())));
    ops.add(
        both(
            "deleteWorkerGroup",
            F,
            e ->
                call(
                    "mutation($e: String!) { deleteWorkerGroup(environment: $e, name: \"bobs\") }",
                    "e",
                    e.name())));
    ops.add(
        both(
            "acquireApplyLock",
            F,
            e ->
                call(
                    "mutation($e: String!) { acquireApplyLock(environment: $e, holder: \"matrix\", ttlSeconds: 1) { expiresAt } }",
                    "e",
                    e.name())));
    ops.add(
        both(
            "releaseApplyLock",
            F,
            e ->
                call(
                    "mutation($e: String!) { releaseApplyLock(environment: $e, token: \"not-the-holder\") }",
                    "e",
                    e.name())));
    ops.add(
        both(
            "savePipeline",
            F,
            e ->
                call(
                    "mutation($e: String!, $d: String!) { savePipeline(environment: $e, name: \"p\", definition: $d) { name } }",
                    "e",
                    e.name(),
                    "d",
                    definition(e.marker(), "bob was here"))));
    ops.add(
        both(
            "validatePipeline",
            F,
            e ->
                call(
                    "mutation($e: String!) { validatePipeline(environment: $e, name: \"p\") { valid } }",
                    "e",
                    e.name())));
    ops.add(
        both(
            "deletePipeline",
            F,
            e ->
                call(
                    "mutation($e: String!) { deletePipeline(environment: $e, name: \"doomed\") }",
                    "e",
                    e.name())));
    ops.add(
        both(
            "writeFile",
            F,
            e ->
                call(
                    "mutation($e: String!) { writeFile(environment: $e, pipeline: \"p\", path: \"main.sh\", content: \"bob was here\") { path } }",
                    "e",
                    e.name())));
    ops.add(
        both(
            "moveFile",
            F,
            e ->
                call(
                    "mutation($e: String!) { moveFile(environment: $e, pipeline: \"p\", from: \"extra.sh\", to: \"moved.sh\") { path } }",
                    "e",
                    e.name())));
    ops.add(
        both(
            "deleteFile",
            F,
            e ->
                call(
                    "mutation($e: String!) { deleteFile(environment: $e, pipeline: \"p\", path: \"gone.sh\") }",
                    "e",
                    e.name())));
    ops.add(
        both(
            "releasePipeline",
            F,
            e ->
                call(
                    "mutation($e: String!) { releasePipeline(environment: $e, pipeline: \"p\") { id digest } }",
                    "e",
                    e.name())));
    ops.add(
        both(
            "rollbackPipeline",
            F,
            e ->
                call(
                    "mutation($e: String!, $id: String!) { rollbackPipeline(environment: $e, pipeline: \"p\", releaseId: $id) { latestReleaseId } }",
                    "e",
                    e.name(),
                    "id",
                    e.releaseId())));
    ops.add(
        new Op(
            "rollbackPipeline",
            "rollbackPipeline (dev's pipeline to a prod release)",
            e ->
                call(
                    "mutation($e: String!, $id: String!) { rollbackPipeline(environment: $e, pipeline: \"p\", releaseId: $id) { latestReleaseId } }",
                    "e",
                    dev.name(),
                    "id",
                    prod.releaseId()),
            null,
            "INVALID_INPUT",
            true));
    ops.add(
        new Op(
            "promoteRelease",
            "promoteRelease (a prod release out)",
            e ->
                call(
                    "mutation($id: String!, $t: String!) { promoteRelease(releaseId: $id, targetEnvironment: $t) { id } }",
                    "id",
                    prod.releaseId(),
                    "t",
                    qa),
            e ->
                call(
                    "mutation($id: String!, $t: String!) { promoteRelease(releaseId: $id, targetEnvironment: $t) { id } }",
                    "id",
                    dev.releaseId(),
                    "t",
                    qa),
            N,
            true));
    ops.add(
        new Op(
            "promoteRelease",
            "promoteRelease (a dev release into prod)",
            e ->
                call(
                    "mutation($id: String!, $t: String!) { promoteRelease(releaseId: $id, targetEnvironment: $t) { id } }",
                    "id",
                    dev.releaseId(),
                    "t",
                    prod.name()),
            null,
            F,
            true));
    ops.add(
        both(
            "startRun",
            F,
            e ->
                call(
                    "mutation($e: String!) { startRun(environment: $e, pipeline: \"p\") { id } }",
                    "e",
                    e.name())));
    // a prod release run in dev: refused as a wrong argument (it is not a release of dev's p)
    ops.add(
        new Op(
            "startRun",
            "startRun (a prod release in dev)",
            e ->
                call(
                    "mutation($e: String!, $r: String) { startRun(environment: $e, pipeline: \"p\", releaseId: $r) { id } }",
                    "e",
                    dev.name(),
                    "r",
                    prod.releaseId()),
            null,
            "INVALID_INPUT",
            true));
    ops.add(
        both(
            "cancelRun",
            N,
            e ->
                call(
                    "mutation($id: String!) { cancelRun(id: $id) { state } }",
                    "id",
                    e.queuedRunId())));
    ops.add(
        both(
            "rerunRun",
            N,
            e -> call("mutation($id: String!) { rerunRun(id: $id) { id } }", "id", e.runId())));
    ops.add(
        both(
            "setSecret",
            F,
            e ->
                call(
                    "mutation($e: String!) { setSecret(environment: $e, name: \"TOKEN\", value: \"bob was here\") { version } }",
                    "e",
                    e.name())));
    ops.add(
        both(
            "grantSecret",
            F,
            e ->
                call(
                    "mutation($e: String!) { grantSecret(environment: $e, name: \"TOKEN\", pipelines: [\"p\", \"bobs\"]) { name } }",
                    "e",
                    e.name())));
    ops.add(
        both(
            "deleteSecret",
            F,
            e ->
                call(
                    "mutation($e: String!) { deleteSecret(environment: $e, name: \"DOOMED\") }",
                    "e",
                    e.name())));
    ops.add(
        both(
            "createSchedule",
            F,
            e ->
                call(
                    "mutation($e: String!) { createSchedule(environment: $e, input: {pipeline: \"p\", name: \"bobs\", cron: \"0 0 1 1 *\", paused: true}) { id } }",
                    "e",
                    e.name())));
    String input =
        "{pipeline: \"p\", name: \"yearly\", cron: \"0 0 1 1 *\", description: \"bob was here\"}";
    ops.add(
        both(
            "updateSchedule",
            F,
            e ->
                call(
                    "mutation($e: String!, $id: String!) { updateSchedule(environment: $e, id: $id, input: "
                        + input
                        + ") { id } }",
                    "e",
                    e.name(),
                    "id",
                    e.scheduleId())));
    ops.add(
        through(
            "updateSchedule",
            "updateSchedule (prod schedule through dev)",
            e ->
                call(
                    "mutation($e: String!, $id: String!) { updateSchedule(environment: $e, id: $id, input: "
                        + input
                        + ") { id } }",
                    "e",
                    dev.name(),
                    "id",
                    e.scheduleId())));
    ops.add(
        both(
            "pauseSchedule",
            F,
            e ->
                call(
                    "mutation($e: String!, $id: String!) { pauseSchedule(environment: $e, id: $id) { paused } }",
                    "e",
                    e.name(),
                    "id",
                    e.scheduleId())));
    ops.add(
        through(
            "pauseSchedule",
            "pauseSchedule (prod schedule through dev)",
            e ->
                call(
                    "mutation($e: String!, $id: String!) { pauseSchedule(environment: $e, id: $id) { paused } }",
                    "e",
                    dev.name(),
                    "id",
                    e.scheduleId())));
    ops.add(
        both(
            "resumeSchedule",
            F,
            e ->
                call(
                    "mutation($e: String!, $id: String!) { resumeSchedule(environment: $e, id: $id) { paused } }",
                    "e",
                    e.name(),
                    "id",
                    e.scheduleId())));
    ops.add(
        through(
            "resumeSchedule",
            "resumeSchedule (prod schedule through dev)",
            e ->
                call(
                    "mutation($e: String!, $id: String!) { resumeSchedule(environment: $e, id: $id) { paused } }",
                    "e",
                    dev.name(),
                    "id",
                    e.scheduleId())));
    String window = "from: \"2025-12-31T23:00:00Z\", to: \"2026-01-01T01:00:00Z\"";
    ops.add(
        both(
            "backfillSchedule",
            F,
            e ->
                call(
                    "mutation($e: String!, $id: String!) { backfillSchedule(environment: $e, id: $id, "
                        + window
                        + ") { id } }",
                    "e",
                    e.name(),
                    "id",
                    e.scheduleId())));
    ops.add(
        through(
            "backfillSchedule",
            "backfillSchedule (prod schedule through dev)",
            e ->
                call(
                    "mutation($e: String!, $id: String!) { backfillSchedule(environment: $e, id: $id, "
                        + window
                        + ") { id } }",
                    "e",
                    dev.name(),
                    "id",
                    e.scheduleId())));
    ops.add(
        through(
            "deleteSchedule",
            "deleteSchedule (prod schedule through dev)",
            e ->
                call(
                    "mutation($e: String!, $id: String!) { deleteSchedule(environment: $e, id: $id) }",
                    "e",
                    dev.name(),
                    "id",
                    e.scheduleId())));
    ops.add(
        both(
            "deleteSchedule",
            F,
            e ->
                call(
                    "mutation($e: String!, $id: String!) { deleteSchedule(environment: $e, id: $id) }",
                    "e",
                    e.name(),
                    "id",
                    e.scheduleId())));
    String trigger =
        "{pipeline: \"p\", kind: \"COMPLETION\", upstreamPipeline: \"slow\", paused: true";
    ops.add(
        both(
            "createTrigger",
            F,
            e ->
                call(
                    "mutation($e: String!) { createTrigger(environment: $e, input: "
                        + trigger
                        + ", name: \"bobs\"}) { id } }",
                    "e",
                    e.name())));
    ops.add(
        both(
            "updateTrigger",
            F,
            e ->
                call(
                    "mutation($e: String!, $id: String!) { updateTrigger(environment: $e, id: $id, input: "
                        + trigger
                        + ", description: \"bob was here\"}) { id } }",
                    "e",
                    e.name(),
                    "id",
                    e.triggerId())));
    ops.add(
        both(
            "pauseTrigger",
            F,
            e ->
                call(
                    "mutation($e: String!, $id: String!) { pauseTrigger(environment: $e, id: $id) { state } }",
                    "e",
                    e.name(),
                    "id",
                    e.triggerId())));
    ops.add(
        both(
            "deleteTrigger",
            F,
            e ->
                call(
                    "mutation($e: String!, $id: String!) { deleteTrigger(environment: $e, id: $id) }",
                    "e",
                    e.name(),
                    "id",
                    e.triggerId())));
    String channel =
        "{name: \"bobs\", kind: \"WEBHOOK\", url: \"https://93.184.216.34/bob\", secretName: \"NOTIFY_HOOK\"}";
    ops.add(
        both(
            "createNotificationChannel",
            F,
            e ->
                call(
                    "mutation($e: String!) { createNotificationChannel(environment: $e, input: "
                        + channel
                        + ") { id } }",
                    "e",
                    e.name())));
    for (String field : List.of("updateNotificationChannel", "deleteNotificationChannel")) {
      String sel = field.startsWith("update") ? ", input: " + channel + ") { id } }" : ") }";
      ops.add(
          through(
              field,
              field + " (prod channel through dev)",
              e ->
                  call(
                      "mutation($e: String!, $id: String!) { "
                          + field
                          + "(environment: $e, id: $id"
                          + sel,
                      "e",
                      dev.name(),
                      "id",
                      e.channelId())));
    }
    ops.add(
        both(
            "createNotificationRule",
            F,
            e ->
                call(
                    "mutation($e: String!, $c: String!) { createNotificationRule(environment: $e, input: {name: \"bobs\", events: [\"RUN_FAILED\"], channelId: $c}) { id } }",
                    "e",
                    e.name(),
                    "c",
                    e.channelId())));
    ops.add(
        both(
            "updateNotificationRule",
            F,
            e ->
                call(
                    "mutation($e: String!, $id: String!, $c: String!) { updateNotificationRule(environment: $e, id: $id, input: {name: \"failures\", events: [\"RUN_FAILED\", \"RUN_SUCCEEDED\"], channelId: $c}) { id } }",
                    "e",
                    e.name(),
                    "id",
                    e.ruleId(),
                    "c",
                    e.channelId())));
    ops.add(
        through(
            "updateNotificationRule",
            "updateNotificationRule (prod rule through dev)",
            e ->
                call(
                    "mutation($e: String!, $id: String!, $c: String!) { updateNotificationRule(environment: $e, id: $id, input: {name: \"failures\", events: [\"RUN_FAILED\"], channelId: $c}) { id } }",
                    "e",
                    dev.name(),
                    "id",
                    e.ruleId(),
                    "c",
                    dev.channelId())));
    ops.add(
        through(
            "deleteNotificationRule",
            "deleteNotificationRule (prod rule through dev)",
            e ->
                call(
                    "mutation($e: String!, $id: String!) { deleteNotificationRule(environment: $e, id: $id) }",
                    "e",
                    dev.name(),
                    "id",
                    e.ruleId())));
    ops.add(
        both(
            "deleteNotificationRule",
            F,
            e ->
                call(
                    "mutation($e: String!, $id: String!) { deleteNotificationRule(environment: $e, id: $id) }",
                    "e",
                    e.name(),
                    "id",
                    e.ruleId())));
    ops.add(
        both(
            "updateNotificationChannel",
            F,
            e ->
                call(
                    "mutation($e: String!, $id: String!) { updateNotificationChannel(environment: $e, id: $id, input: "
                        + channel.replace("bobs", "ops")
                        + ") { id } }",
                    "e",
                    e.name(),
                    "id",
                    e.channelId())));
    ops.add(
        both(
            "deleteNotificationChannel",
            F,
            e ->
                call(
                    "mutation($e: String!, $id: String!) { deleteNotificationChannel(environment: $e, id: $id) }",
                    "e",
                    e.name(),
                    "id",
                    e.channelId())));
    ops.add(
        adminOnly(
            "setEnvironmentLogRetention",
            e ->
                call(
                    "mutation($e: String!) { setEnvironmentLogRetention(environment: $e, retentionDays: 1) { retentionDays } }",
                    "e",
                    e.name())));
    ops.add(
        adminOnly(
            "bindRole",
            e ->
                call(
                    "mutation($e: String) { bindRole(input: {subjectKind: USER, subject: \"bob\", scopeKind: ENVIRONMENT, environment: $e, permissions: [READ]}) { id } }",
                    "e",
                    e.name())));
    ops.add(
        adminOnly(
            "unbindRole",
            e ->
                call(
                    "mutation($id: String!) { unbindRole(id: $id) { id } }",
                    "id",
                    e.carolBindingId())));
    return ops;
  }

  /** Subscriptions that reach an environment's objects. */
  static final Set<String> SUBSCRIPTIONS = Set.of("runUpdates", "logTail", "workerStats");

  @Test
  @Order(1)
  void everyRootFieldOfTheSchemaIsInTheMatrix() throws Exception {
    // one request per root type: graphql-java refuses a query that asks for fields too often
    JsonNode roots =
        alice
            .data(
                "{ __schema { queryType { name } mutationType { name } subscriptionType { name } } }",
                Map.of())
            .path("__schema");
    Map<String, Set<String>> fields = new LinkedHashMap<>();
    for (String type : List.of("queryType", "mutationType", "subscriptionType")) {
      JsonNode t =
          alice
              .data(
                  "query($t: String!) { __type(name: $t) { fields { name args { name } } } }",
                  Map.of("t", roots.path(type).path("name").asText()))
              .path("__type");
      for (JsonNode f : t.path("fields")) {
        Set<String> args = new TreeSet<>();
        f.path("args").forEach(a -> args.add(a.path("name").asText()));
        fields.put(f.path("name").asText(), args);
      }
    }
    assertThat(fields).as("the schema as introspected").containsKeys("pipelines", "startRun");
    Set<String> covered = new LinkedHashSet<>();
    queries().forEach(o -> covered.add(o.field()));
    mutations().forEach(o -> covered.add(o.field()));
    covered.addAll(SUBSCRIPTIONS);
    List<String> problems = new ArrayList<>();
    fields.forEach(
        (name, args) -> {
          if (!covered.contains(name) && !NOT_ENVIRONMENT_SCOPED.contains(name)) {
            problems.add(name + args + " is not in the isolation matrix");
          }
          if (NOT_ENVIRONMENT_SCOPED.contains(name)
              && args.stream().anyMatch(a -> a.toLowerCase().contains("environment"))) {
            problems.add(name + args + " takes an environment but is left out of the matrix");
          }
        });
    for (String name : covered) {
      if (!fields.containsKey(name)) {
        problems.add(name + " is in the matrix but not in the schema");
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  @Order(2)
  void bobSeesOnlyDevInTheEnvironmentList() throws Exception {
    JsonNode envs = bob.data("{ environments { name } me { name admin } }", Map.of());
    List<String> names = new ArrayList<>();
    envs.path("environments").forEach(e -> names.add(e.path("name").asText()));
    assertThat(names).contains(dev.name()).doesNotContain(prod.name());
    assertThat(envs.path("me").path("admin").asBoolean(true)).isFalse();
    assertNoLeak("environments", "", envs.toString());
  }

  @Test
  @Order(3)
  void everyQueryOnProdIsRefusedAndOnDevAllowed() throws Exception {
    assertThat(runMatrix(queries(), bob::raw)).isEmpty();
  }

  @Test
  @Order(4)
  void anApiKeyOfBobForEveryEnvironmentIsRefusedOnProdToo() throws Exception {
    String key =
        bob.data(
                "mutation { createApiKey(input: {name: \"everywhere\", ttlDays: 1, scope: [{environment: \"*\", permissions: [READ, WRITE, DELETE, EXECUTE, SECRETS, RELEASE]}]}) { key } }",
                Map.of())
            .path("createApiKey")
            .path("key")
            .asText();
    assertThat(key).startsWith("dpk_");
    assertThat(runMatrix(queries(), (q, v) -> withApiKey(key, q, v))).isEmpty();
  }

  @Test
  @Order(5)
  void everySubscriptionToProdIsRefusedAndToDevDelivers() throws Exception {
    List<String> wrong = new ArrayList<>();
    // runUpdates: prod refused; on dev a cancel arrives live
    expectRefused(
        wrong,
        "runUpdates",
        "subscription($r: String!) { runUpdates(runId: $r) { kind state } }",
        Map.of("r", prod.watchedRunId()),
        N);
    List<JsonNode> updates = new CopyOnWriteArrayList<>();
    try (GraphQLClient.Subscription sub =
        bob.subscribe(
            "subscription($r: String!) { runUpdates(runId: $r) { kind state } }",
            Map.of("r", dev.watchedRunId()),
            updates::add)) {
      // the gateway listens for the run once it has checked access: then the cancel is seen live
      await("the gateway listens for the dev run")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> openSubscriptions() >= 1);
      bob.data(
          "mutation($id: String!) { cancelRun(id: $id) { state } }",
          Map.of("id", dev.watchedRunId()));
      await("dev runUpdates delivers the cancel")
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  updates.stream()
                      .anyMatch(
                          u -> u.path("runUpdates").path("state").asText().equals("CANCELLED")));
    }
    // logTail: prod refused; on dev the stored lines arrive
    expectRefused(
        wrong,
        "logTail",
        "subscription($t: String!, $r: String) { logTail(taskRunId: $t, runId: $r) { text } }",
        Map.of("t", prod.taskRunId(), "r", prod.runId()),
        N);
    expectRefused(
        wrong,
        "logTail",
        "subscription($t: String!, $r: String) { logTail(taskRunId: $t, runId: $r) { text } }",
        Map.of("t", prod.taskRunId(), "r", dev.runId()),
        N);
    List<JsonNode> lines = new CopyOnWriteArrayList<>();
    try (GraphQLClient.Subscription sub =
        bob.subscribe(
            "subscription($t: String!, $r: String) { logTail(taskRunId: $t, runId: $r) { text } }",
            Map.of("t", dev.taskRunId(), "r", dev.runId()),
            lines::add)) {
      await("dev logTail delivers")
          .atMost(Duration.ofSeconds(30))
          .until(() -> lines.toString().contains("hello from " + dev.marker()));
    }
    // workerStats: prod refused; dev's worker group is served, its heartbeats arrive
    expectRefused(
        wrong,
        "workerStats",
        "subscription($e: String) { workerStats(environment: $e) { workerId } }",
        Map.of("e", prod.name()),
        F);
    List<JsonNode> stats = new CopyOnWriteArrayList<>();
    try (GraphQLClient.Subscription sub =
        bob.subscribe(
            "subscription($e: String) { workerStats(environment: $e) { workerId groups } }",
            Map.of("e", dev.name()),
            stats::add)) {
      await("dev workerStats delivers")
          .atMost(Duration.ofSeconds(30))
          .until(() -> !stats.isEmpty());
    }
    assertThat(wrong).isEmpty();
  }

  @Test
  @Order(6)
  void everyMutationOnProdIsRefusedAndOnDevAllowed() throws Exception {
    assertThat(runMatrix(mutations(), bob::raw)).isEmpty();
  }

  @Test
  @Order(7)
  void theRestEndpointsRefuseProdToo() throws Exception {
    List<String> wrong = new ArrayList<>();
    for (Env e : List.of(prod, dev)) {
      boolean allowed = e == dev;
      String files = "/api/files/" + e.name() + "/p/";
      rest(
          wrong,
          e,
          "GET " + files + "main.sh",
          HttpRequest.newBuilder().GET(),
          files + "main.sh",
          allowed ? 200 : 403);
      rest(
          wrong,
          e,
          "PUT " + files + "main.sh",
          HttpRequest.newBuilder().PUT(HttpRequest.BodyPublishers.ofString("bob was here")),
          files + "main.sh",
          allowed ? 200 : 403);
      rest(
          wrong,
          e,
          "DELETE " + files + "rest-gone.sh",
          HttpRequest.newBuilder().DELETE(),
          files + "rest-gone.sh",
          allowed ? 204 : 403);
      String trigger = "/api/v1/environments/" + e.name() + "/pipelines/p/runs";
      rest(
          wrong,
          e,
          "POST " + trigger,
          HttpRequest.newBuilder()
              .header("Content-Type", "application/json")
              .header("Idempotency-Key", "bob-" + X)
              .POST(HttpRequest.BodyPublishers.ofString("{\"params\": {}}")),
          trigger,
          allowed ? 201 : 403);
    }
    assertThat(wrong).isEmpty();
  }

  @Test
  @Order(8)
  void prodIsAsAliceLeftIt() throws Exception {
    Map<String, Object> e = Map.of("e", prod.name());
    JsonNode p =
        alice.data(
            "query($e: String!) { pipeline(environment: $e, name: \"p\") { definition } doomed: pipeline(environment: $e, name: \"doomed\") { name } releases(environment: $e, pipeline: \"p\") { id } files(environment: $e, pipeline: \"p\") { path } file(environment: $e, pipeline: \"p\", path: \"main.sh\") { text } }",
            e);
    assertThat(p.path("pipeline").path("definition").toString())
        .contains(prod.marker())
        .doesNotContain("bob was here");
    assertThat(p.path("doomed").path("name").asText()).isEqualTo("doomed");
    assertThat(p.path("releases")).hasSize(1);
    assertThat(p.path("releases").get(0).path("id").asText()).isEqualTo(prod.releaseId());
    List<String> paths = new ArrayList<>();
    p.path("files").forEach(f -> paths.add(f.path("path").asText()));
    assertThat(paths).containsExactlyInAnyOrder("main.sh", "extra.sh", "gone.sh", "rest-gone.sh");
    assertThat(p.path("file").path("text").asText()).isEqualTo("echo " + prod.marker());

    JsonNode runs =
        alice.data("query($e: String!) { runs(environment: $e) { items { id state } } }", e);
    Map<String, String> states = new HashMap<>();
    runs.path("runs")
        .path("items")
        .forEach(r -> states.put(r.path("id").asText(), r.path("state").asText()));
    assertThat(states)
        .containsOnlyKeys(
            prod.runId(), prod.queuedRunId(), prod.watchedRunId(), prod.sleeperRunId());
    // not cancelled: still waiting for a worker of their group (run RUNNING, its task QUEUED)
    assertThat(states.get(prod.queuedRunId())).isIn("QUEUED", "RUNNING");
    assertThat(states.get(prod.watchedRunId())).isIn("QUEUED", "RUNNING");
    assertThat(states.get(prod.sleeperRunId())).isEqualTo("RUNNING");

    JsonNode s =
        alice.data(
            "query($e: String!) { secrets(environment: $e) { name version grants { pipelines } } schedules(environment: $e) { id description paused } workerGroups(environment: $e) { name } roleBindings(environment: $e) { subject } }",
            e);
    Map<String, JsonNode> secrets = new HashMap<>();
    s.path("secrets").forEach(x -> secrets.put(x.path("name").asText(), x));
    assertThat(secrets).containsOnlyKeys("TOKEN", "DOOMED");
    assertThat(secrets.get("TOKEN").path("version").asInt()).isEqualTo(1);
    assertThat(secrets.get("TOKEN").path("grants").path("pipelines").toString())
        .isEqualTo("[\"p\"]");
    assertThat(s.path("schedules")).hasSize(1);
    assertThat(s.path("schedules").get(0).path("id").asText()).isEqualTo(prod.scheduleId());
    assertThat(s.path("schedules").get(0).path("description").asText()).isEqualTo(prod.marker());
    assertThat(s.path("schedules").get(0).path("paused").asBoolean(true)).isFalse();
    List<String> groups = new ArrayList<>();
    s.path("workerGroups").forEach(g -> groups.add(g.path("name").asText()));
    assertThat(groups).containsExactlyInAnyOrder("default", GROUP, IDLE);
    List<String> subjects = new ArrayList<>();
    s.path("roleBindings").forEach(b -> subjects.add(b.path("subject").asText()));
    assertThat(subjects).containsExactly("carol");

    // and the refusals are in the audit log, as bob's, in prod
    JsonNode audit =
        alice.data(
            "query($e: String!) { auditLog(actor: \"bob\", outcome: \"DENIED\", environment: $e, limit: 500) { action } }",
            e);
    Set<String> actions = new TreeSet<>();
    audit.path("auditLog").forEach(a -> actions.add(a.path("action").asText()));
    assertThat(actions).contains("pipeline", "run", "secrets", "setSecret", "startRun", "logs");
  }

  interface Executor {
    JsonNode run(String query, Map<String, Object> variables) throws Exception;
  }

  /** Runs every op on prod (refused) and on dev (allowed); returns what went wrong. */
  private static List<String> runMatrix(List<Op> ops, Executor as) throws Exception {
    List<String> wrong = new ArrayList<>();
    for (Op op : ops) {
      Call p = op.prodCall().apply(prod);
      JsonNode pr = as.run(p.query(), p.variables());
      String code = pr.path("errors").path(0).path("extensions").path("code").asText();
      if (!op.prodCode().equals(code)) {
        wrong.add(op.label() + " on prod: expected " + op.prodCode() + ", got " + pr);
      }
      if (!pr.path("data").path(op.field()).isMissingNode()
          && !pr.path("data").path(op.field()).isNull()) {
        wrong.add(op.label() + " on prod answered data: " + pr);
      }
      wrong.addAll(leaks(op.label(), p.text(), pr.toString()));
      if (op.prodCall() == op.devCall() && "FORBIDDEN".equals(op.prodCode())) {
        // prod answers exactly as an environment that does not exist: not even its name shows
        Call g = op.prodCall().apply(ghost());
        JsonNode gr = as.run(g.query(), g.variables());
        String ghostCode = gr.path("errors").path(0).path("extensions").path("code").asText();
        if (!"FORBIDDEN".equals(ghostCode)) {
          wrong.add(
              op.label() + " on a missing environment: expected FORBIDDEN as on prod, got " + gr);
        }
      }

      if (op.devCall() == null) {
        continue;
      }
      Call d = op.devCall().apply(dev);
      JsonNode dr = as.run(d.query(), d.variables());
      // nor does an answer about dev show anything of prod
      wrong.addAll(leaks(op.label() + " on dev", d.text(), dr.toString()));
      if (op.devAllowed()) {
        if (dr.path("errors").size() > 0 || dr.path("data").path(op.field()).isNull()) {
          wrong.add(op.label() + " on dev: expected allowed, got " + dr);
        }
      } else if (!"FORBIDDEN"
          .equals(dr.path("errors").path(0).path("extensions").path("code").asText())) {
        wrong.add(op.label() + " on dev: expected FORBIDDEN (admins only), got " + dr);
      }
    }
    return wrong;
  }

  /** An environment that does not exist, with prod's ids. */
  private static Env ghost() {
    return new Env(
        "ghost-" + X,
        prod.marker(),
        prod.runId(),
        prod.taskRunId(),
        prod.releaseId(),
        prod.digest(),
        prod.queuedRunId(),
        prod.watchedRunId(),
        prod.scheduleId(),
        prod.triggerId(),
        prod.channelId(),
        prod.ruleId(),
        prod.carolBindingId(),
        prod.sleeperRunId(),
        prod.backfillId(),
        prod.draftId());
  }

  /** What of prod's objects an answer shows that the request did not name itself. */
  private static List<String> leaks(String what, String request, String answer) {
    List<String> out = new ArrayList<>();
    for (String token :
        List.of(
            prod.marker(),
            prod.digest(),
            prod.runId(),
            prod.taskRunId(),
            prod.releaseId(),
            prod.queuedRunId(),
            prod.watchedRunId(),
            prod.scheduleId(),
            prod.channelId(),
            prod.ruleId(),
            prod.carolBindingId(),
            prod.sleeperRunId(),
            prod.backfillId(),
            prod.draftId(),
            "value-of-" + prod.marker())) {
      if (!request.contains(token) && answer.contains(token)) {
        out.add(what + " leaks " + token + ": " + answer);
      }
    }
    return out;
  }

  private static void assertNoLeak(String what, String request, String answer) {
    assertThat(leaks(what, request, answer)).isEmpty();
  }

  private static void expectRefused(
      List<String> wrong, String field, String query, Map<String, Object> vars, String code)
      throws Exception {
    List<JsonNode> data = new CopyOnWriteArrayList<>();
    try (GraphQLClient.Subscription sub = bob.subscribe(query, vars, data::add)) {
      JsonNode errors;
      try {
        sub.done().get(30, TimeUnit.SECONDS);
        wrong.add(field + " " + vars + ": ended without an error");
        return;
      } catch (java.util.concurrent.TimeoutException e) {
        wrong.add(field + " " + vars + ": neither refused nor ended within 30 s");
        return;
      } catch (java.util.concurrent.ExecutionException e) {
        if (!(e.getCause() instanceof GraphQLClient.GraphQLException g)) {
          wrong.add(field + " " + vars + ": failed with " + e.getCause());
          return;
        }
        errors = g.errors();
      }
      JsonNode first = errors.isArray() ? errors.path(0) : errors;
      String got = first.path("extensions").path("code").asText();
      if (!code.equals(got)) {
        wrong.add(field + " " + vars + ": expected " + code + ", got " + errors);
      }
      if (!data.isEmpty()) {
        wrong.add(field + " " + vars + ": delivered " + data);
      }
      wrong.addAll(leaks(field, query + vars, errors.toString() + data));
    }
  }

  private static JsonNode withApiKey(String key, String query, Map<String, Object> variables)
      throws Exception {
    Map<String, Object> body = new HashMap<>();
    body.put("query", query);
    body.put("variables", variables);
    HttpResponse<String> r =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .build()
            .send(
                HttpRequest.newBuilder(URI.create(platform.url("gateway-service") + "/graphql"))
                    .header("X-Api-Key", key)
                    .header("Content-Type", "application/json")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(Json.mapper().writeValueAsString(body)))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Json.mapper().readTree(r.body());
  }

  private static void rest(
      List<String> wrong, Env e, String what, HttpRequest.Builder b, String path, int status)
      throws Exception {
    HttpResponse<String> r =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .build()
            .send(
                b.uri(URI.create(platform.url("gateway-service") + path))
                    .header("Authorization", "Bearer " + bobToken())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != status) {
      wrong.add(what + ": expected " + status + ", got " + r.statusCode() + " " + r.body());
    }
    if (e == prod) {
      if (!r.body().contains("FORBIDDEN")) {
        wrong.add(what + ": expected the FORBIDDEN code, got " + r.body());
      }
      wrong.addAll(leaks(what, path, r.body()));
    }
  }

  /** The gateway's gauge of open subscription listeners. */
  private static double openSubscriptions() throws Exception {
    String metrics =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .build()
            .send(
                HttpRequest.newBuilder(URI.create(platform.url("gateway-service") + "/q/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    return metrics
        .lines()
        .filter(l -> l.startsWith("dataplane_gateway_subscriptions"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  private static String bobToken() throws Exception {
    return GraphQLClient.passwordGrant(Platform.TOKEN_URL, "dataplane-cli", "bob", "bob");
  }
}
