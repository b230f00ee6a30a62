package io.dataplane.gateway.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import io.dataplane.gateway.support.Fixture;
import io.dataplane.gateway.support.Gql;
import io.dataplane.gateway.support.Stub;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every query and mutation under each role, with real Keycloak tokens: admin (realm role),
 * environment writer (alice), reader (bob), no rights (alice on an environment she has no binding
 * in) and an API key of alice narrowed to reading. Objects are addressed by id across environments
 * too: a caller without rights on an environment cannot read its run by id.
 */
@QuarkusTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessMatrixTest {

  /** The objects of one environment. */
  record Env(
      String name,
      String runId,
      String taskRunId,
      String releaseId,
      String scheduleId,
      String backfillId) {}

  Env dev;
  Env prod;
  String aliceReadKey;

  @BeforeEach
  void setUp() {
    if (dev != null) {
      return;
    }
    dev = populate(Fixture.environment("dev"));
    prod = populate(Fixture.environment("prod"));
    Fixture.bind("USER", "alice", dev.name(), "write", "delete", "execute", "release", "secrets");
    Fixture.bind("USER", "bob", dev.name(), "read");
    aliceReadKey = Fixture.apiKey("alice", dev.name(), null, "read");
  }

  private Env populate(String env) {
    Gql admin = Gql.as("admin");
    ok(
        admin.run(
            "mutation($e: String!) { savePipeline(environment: $e, name: \"p\", definition:"
                + " \"tasks: []\") { name } createWorkerGroup(environment: $e, name: \"g1\") { name }"
                + " writeFile(environment: $e, pipeline: \"p\", path: \"src/main.py\", content:"
                + " \"print(1)\") { path } setSecret(environment: $e, name: \"TOKEN\", value:"
                + " \"s3cret\") { name version } }",
            "e",
            env));
    JsonPath run =
        ok(
            admin.run(
                "mutation($e: String!) { startRun(environment: $e, pipeline: \"p\", params: {n:"
                    + " 1}) { id taskRuns { id } } }",
                "e",
                env));
    JsonPath rel =
        ok(
            admin.run(
                "mutation($e: String!) { releasePipeline(environment: $e, pipeline: \"p\") { id"
                    + " } }",
                "e",
                env));
    JsonPath sch =
        ok(
            admin.run(
                "mutation($e: String!) { createSchedule(environment: $e, input: {pipeline: \"p\","
                    + " cron: \"0 * * * *\"}) { id } }",
                "e",
                env));
    JsonPath bf =
        ok(
            admin.run(
                "mutation($e: String!, $id: String!) { backfillSchedule(environment: $e, id: $id,"
                    + " from: \"2024-01-01T00:00:00Z\", to: \"2024-01-01T03:00:00Z\","
                    + " maxConcurrent: 2) { id state maxConcurrent } }",
                "e",
                env,
                "id",
                sch.getString("data.createSchedule.id")));
    return new Env(
        env,
        run.getString("data.startRun.id"),
        run.getString("data.startRun.taskRuns[0].id"),
        rel.getString("data.releasePipeline.id"),
        sch.getString("data.createSchedule.id"),
        bf.getString("data.backfillSchedule.id"));
  }

  private static JsonPath ok(JsonPath r) {
    assertThat(Gql.codes(r)).as(r.prettify()).isEmpty();
    return r;
  }

  /** One operation: a GraphQL document for an environment's objects, and who may run it. */
  record Op(String name, Function<Env, String> document, String allowed) {}

  static String q(String s) {
    return "\"" + s + "\"";
  }

  List<Op> ops() {
    List<Op> ops = new ArrayList<>();
    // allowed: letters of admin (A), writer (W), reader (R), none (N), narrow key (K)
    ops.add(new Op("me", e -> "{ me { name admin } }", "AWRNK"));
    ops.add(
        new Op("environment", e -> "{ environment(name: " + q(e.name()) + ") { name } }", "AWRK"));
    ops.add(
        new Op(
            "environment.logRetention",
            e ->
                "{ environment(name: "
                    + q(e.name())
                    + ") { logRetention { retentionDays effectiveRetentionDays } } }",
            "AWRK"));
    ops.add(
        new Op(
            "setEnvironmentLogRetention",
            e ->
                "mutation { setEnvironmentLogRetention(environment: "
                    + q(e.name())
                    + ", retentionDays: 14, maxBytesPerRun: 1000000) { effectiveRetentionDays } }",
            "A"));
    ops.add(
        new Op(
            "pipelines", e -> "{ pipelines(environment: " + q(e.name()) + ") { name } }", "AWRK"));
    ops.add(
        new Op(
            "pipeline",
            e -> "{ pipeline(environment: " + q(e.name()) + ", name: \"p\") { name definition } }",
            "AWRK"));
    ops.add(
        new Op(
            "workerGroups",
            e -> "{ workerGroups(environment: " + q(e.name()) + ") { name } }",
            "AWRK"));
    ops.add(
        new Op(
            "workers", e -> "{ workers(environment: " + q(e.name()) + ") { workerId } }", "AWRK"));
    ops.add(
        new Op("runs", e -> "{ runs(environment: " + q(e.name()) + ") { items { id } } }", "AWRK"));
    ops.add(
        new Op(
            "run",
            e ->
                "{ run(id: "
                    + q(e.runId())
                    + ") { id state taskRuns { id outputs attempts { attempt } } } }",
            "AWRK"));
    ops.add(
        new Op(
            "logs",
            e ->
                "{ logs(taskRunId: "
                    + q(e.taskRunId())
                    + ", runId: "
                    + q(e.runId())
                    + ") { lines { seq } complete } }",
            "AWRK"));
    ops.add(
        new Op(
            "releases",
            e -> "{ releases(environment: " + q(e.name()) + ", pipeline: \"p\") { id } }",
            "AWRK"));
    ops.add(
        new Op("release", e -> "{ release(id: " + q(e.releaseId()) + ") { id digest } }", "AWRK"));
    ops.add(
        new Op(
            "releaseDiff",
            e -> "{ releaseDiff(from: " + q(e.releaseId()) + ", to: " + q(e.releaseId()) + ") }",
            "AWRK"));
    ops.add(
        new Op(
            "deployments",
            e -> "{ deployments(environment: " + q(e.name()) + ", pipeline: \"p\") { id } }",
            "AWRK"));
    ops.add(
        new Op(
            "files",
            e -> "{ files(environment: " + q(e.name()) + ", pipeline: \"p\") { path } }",
            "AWRK"));
    ops.add(
        new Op(
            "file",
            e ->
                "{ file(environment: "
                    + q(e.name())
                    + ", pipeline: \"p\", path: \"src/main.py\") { text } }",
            "AWRK"));
    ops.add(
        new Op(
            "secrets",
            e -> "{ secrets(environment: " + q(e.name()) + ") { name version } }",
            "AWRK"));
    ops.add(
        new Op(
            "secret",
            e -> "{ secret(environment: " + q(e.name()) + ", name: \"TOKEN\") { name } }",
            "AWRK"));
    ops.add(
        new Op(
            "secretAudit",
            e -> "{ secretAudit(environment: " + q(e.name()) + ", name: \"TOKEN\") { action } }",
            "AW"));
    ops.add(
        new Op(
            "schedules",
            e -> "{ schedules(environment: " + q(e.name()) + ") { id cron } }",
            "AWRK"));
    ops.add(
        new Op(
            "schedule",
            e ->
                "{ schedule(environment: "
                    + q(e.name())
                    + ", id: "
                    + q(e.scheduleId())
                    + ") { id } }",
            "AWRK"));
    ops.add(
        new Op(
            "scheduleDraftPreview",
            e ->
                "{ scheduleDraftPreview(environment: "
                    + q(e.name())
                    + ", input: {pipeline: \"p\", cron: \"0 * * * *\"}) }",
            "AWRK"));
    ops.add(
        new Op(
            "schedulePreview",
            e ->
                "{ schedulePreview(environment: "
                    + q(e.name())
                    + ", id: "
                    + q(e.scheduleId())
                    + ") }",
            "AWRK"));
    ops.add(
        new Op(
            "roleBindings", e -> "{ roleBindings(environment: " + q(e.name()) + ") { id } }", "A"));
    ops.add(new Op("auditLog", e -> "{ auditLog(limit: 5) { id action } }", "A"));
    ops.add(new Op("apiKeys", e -> "{ apiKeys { id prefix } }", "AWRNK"));
    // mutations
    ops.add(
        new Op(
            "createEnvironment",
            e -> "mutation { createEnvironment(name: " + q(Fixture.unique("x")) + ") { name } }",
            "A"));
    ops.add(
        new Op(
            "updateEnvironment",
            e ->
                "mutation { updateEnvironment(name: "
                    + q(e.name())
                    + ", description: \"d\") { name } }",
            "A"));
    ops.add(
        new Op(
            "updateWorkerGroup",
            e ->
                "mutation { updateWorkerGroup(environment: "
                    + q(e.name())
                    + ", name: \"g1\", description: \"d\") { name } }",
            "AW"));
    ops.add(
        new Op(
            "rollbackPipeline",
            e ->
                "mutation { rollbackPipeline(environment: "
                    + q(e.name())
                    + ", pipeline: \"p\", releaseId: "
                    + q(e.releaseId())
                    + ") { name } }",
            "AW"));
    ops.add(
        new Op(
            "createWorkerGroup",
            e ->
                "mutation { createWorkerGroup(environment: "
                    + q(e.name())
                    + ", name: "
                    + q(Fixture.unique("g"))
                    + ") { name } }",
            "AW"));
    ops.add(
        new Op(
            "savePipeline",
            e ->
                "mutation { savePipeline(environment: "
                    + q(e.name())
                    + ", name: "
                    + q(Fixture.unique("p"))
                    + ", definition: \"{}\", format: JSON) { name } }",
            "AW"));
    ops.add(
        new Op(
            "validatePipeline",
            e ->
                "mutation { validatePipeline(environment: "
                    + q(e.name())
                    + ", name: \"p\") { valid } }",
            "AWRK"));
    ops.add(
        new Op(
            "writeFile",
            e ->
                "mutation { writeFile(environment: "
                    + q(e.name())
                    + ", pipeline: \"p\", path: \"b.sh\", content: \"echo\") { path } }",
            "AW"));
    ops.add(
        new Op(
            "deletePipeline",
            e ->
                "mutation { deletePipeline(environment: "
                    + q(e.name())
                    + ", name: "
                    + q(Fixture.unique("d"))
                    + ") }",
            "AW"));
    ops.add(
        new Op(
            "releasePipeline",
            e ->
                "mutation { releasePipeline(environment: "
                    + q(e.name())
                    + ", pipeline: \"p\") { id } }",
            "AW"));
    ops.add(
        new Op(
            "promoteRelease",
            e ->
                "mutation { promoteRelease(releaseId: "
                    + q(e.releaseId())
                    + ", targetEnvironment: "
                    + q(e.name())
                    + ") { id } }",
            "AW"));
    ops.add(
        new Op(
            "startRun",
            e -> "mutation { startRun(environment: " + q(e.name()) + ", pipeline: \"p\") { id } }",
            "AW"));
    ops.add(
        new Op(
            "cancelRun", e -> "mutation { cancelRun(id: " + q(e.runId()) + ") { state } }", "AW"));
    ops.add(
        new Op("rerunRun", e -> "mutation { rerunRun(id: " + q(e.runId()) + ") { id } }", "AW"));
    ops.add(
        new Op(
            "setSecret",
            e ->
                "mutation { setSecret(environment: "
                    + q(e.name())
                    + ", name: \"OTHER\", value: \"v\") { version } }",
            "AW"));
    ops.add(
        new Op(
            "grantSecret",
            e ->
                "mutation { grantSecret(environment: "
                    + q(e.name())
                    + ", name: \"TOKEN\", pipelines: [\"p\"]) { name } }",
            "AW"));
    ops.add(
        new Op(
            "deleteSecret",
            e -> "mutation { deleteSecret(environment: " + q(e.name()) + ", name: \"GONE\") }",
            "AW"));
    ops.add(
        new Op(
            "createSchedule",
            e ->
                "mutation { createSchedule(environment: "
                    + q(e.name())
                    + ", input: {pipeline: \"p\", rrule: \"FREQ=DAILY\", timezone: \"Europe/Paris\"}) { id } }",
            "AW"));
    ops.add(
        new Op(
            "pauseSchedule",
            e ->
                "mutation { pauseSchedule(environment: "
                    + q(e.name())
                    + ", id: "
                    + q(e.scheduleId())
                    + ") { paused } }",
            "AW"));
    ops.add(
        new Op(
            "draftHistory",
            e ->
                "{ draftHistory(environment: "
                    + q(e.name())
                    + ", pipeline: \"p\") { id version digest savedBy } }",
            "AWRK"));
    ops.add(
        new Op(
            "draftVersion",
            e ->
                "{ draftVersion(environment: "
                    + q(e.name())
                    + ", pipeline: \"p\", id: \"draft-1\") { source definition } }",
            "AWRK"));
    ops.add(
        new Op(
            "draftDiff",
            e ->
                "{ draftDiff(environment: "
                    + q(e.name())
                    + ", pipeline: \"p\", from: \"draft-1\", to: "
                    + q(e.releaseId())
                    + ") }",
            "AWRK"));
    ops.add(
        new Op(
            "restoreDraft",
            e ->
                "mutation { restoreDraft(environment: "
                    + q(e.name())
                    + ", pipeline: \"p\", id: \"draft-1\") { name } }",
            "AW"));
    // an environment of its own each time: admins delete it, nobody else may
    ops.add(
        new Op(
            "deleteEnvironment",
            e -> "mutation { deleteEnvironment(name: " + q(Fixture.environment("gone")) + ") }",
            "A"));
    String window = ", from: \"2024-01-01T00:00:00Z\", to: \"2024-01-02T00:00:00Z\"";
    ops.add(
        new Op(
            "backfillPreview",
            e ->
                "{ backfillPreview(environment: "
                    + q(e.name())
                    + ", id: "
                    + q(e.scheduleId())
                    + window
                    + ") { fireTimes alreadyFired } }",
            "AWRK"));
    ops.add(
        new Op(
            "backfillSchedule",
            e ->
                "mutation { backfillSchedule(environment: "
                    + q(e.name())
                    + ", id: "
                    + q(e.scheduleId())
                    + window
                    + ", maxConcurrent: 1) { id state total } }",
            "AW"));
    ops.add(
        new Op(
            "backfills",
            e ->
                "{ backfills(environment: "
                    + q(e.name())
                    + ", scheduleId: "
                    + q(e.scheduleId())
                    + ") { id state } }",
            "AWRK"));
    ops.add(
        new Op(
            "backfill",
            e ->
                "{ backfill(environment: "
                    + q(e.name())
                    + ", id: "
                    + q(e.backfillId())
                    + ") { id state pending } }",
            "AWRK"));
    ops.add(
        new Op(
            "cancelBackfill",
            e ->
                "mutation { cancelBackfill(environment: "
                    + q(e.name())
                    + ", id: "
                    + q(e.backfillId())
                    + ") { id state } }",
            "AW"));
    ops.add(
        new Op(
            "createApiKey",
            e ->
                "mutation { createApiKey(input: {name: \"k\", ttlDays: 1, scope: [{environment: "
                    + q(e.name())
                    + ", permissions: [READ]}]}) { key } }",
            "AWRN"));
    ops.add(
        new Op(
            "bindRole",
            e ->
                "mutation { bindRole(input: {subjectKind: USER, subject: \"carol\", scopeKind: ENVIRONMENT, environment: "
                    + q(e.name())
                    + ", permissions: [READ]}) { id } }",
            "A"));
    return ops;
  }

  @Test
  void everyOperationUnderEveryRole() {
    Map<Character, Gql> callers = new LinkedHashMap<>();
    callers.put('A', Gql.as("admin"));
    callers.put('W', Gql.as("alice"));
    callers.put('R', Gql.as("bob"));
    callers.put('N', Gql.as("alice"));
    callers.put('K', Gql.withKey(aliceReadKey));
    List<String> wrong = new ArrayList<>();
    for (Op op : ops()) {
      for (Map.Entry<Character, Gql> role : callers.entrySet()) {
        // "none" is alice in prod, where she holds no binding
        Env env = role.getKey() == 'N' ? prod : dev;
        JsonPath r = role.getValue().run(op.document().apply(env));
        List<String> codes = Gql.codes(r);
        boolean expected = op.allowed().indexOf(role.getKey()) >= 0;
        if (expected && !codes.isEmpty()) {
          wrong.add(op.name() + " as " + role.getKey() + ": expected allowed, got " + codes);
        } else if (!expected
            && (codes.isEmpty() || !List.of("FORBIDDEN", "NOT_FOUND").contains(codes.get(0)))) {
          wrong.add(op.name() + " as " + role.getKey() + ": expected denied, got " + r.prettify());
        }
      }
    }
    assertThat(wrong).isEmpty();
  }

  @Test
  void backfillsOfAnotherEnvironmentAreUnknownAndBadBackfillsAreRefused() {
    Gql alice = Gql.as("alice");
    String read = "query($e: String!, $id: String!) { backfill(environment: $e, id: $id) { id } }";
    String cancel =
        "mutation($e: String!, $id: String!) { cancelBackfill(environment: $e, id: $id) { id } }";
    // alice executes in dev: prod's backfill named through dev is unknown there, and stays running
    assertThat(Gql.codes(alice.run(read, "e", dev.name(), "id", prod.backfillId())))
        .containsExactly("NOT_FOUND");
    assertThat(Gql.codes(alice.run(cancel, "e", dev.name(), "id", prod.backfillId())))
        .containsExactly("NOT_FOUND");
    assertThat(
            Gql.as("admin")
                .run(read.replace("{ id }", "{ state }"), "e", prod.name(), "id", prod.backfillId())
                .getString("data.backfill.state"))
        .isEqualTo("RUNNING");
    String start =
        "mutation($e: String!, $id: String!, $n: Int!, $from: DateTime!, $to: DateTime!) {"
            + " backfillSchedule(environment: $e, id: $id, from: $from, to: $to, maxConcurrent:"
            + " $n) { id } }";
    // prod's schedule through dev
    assertThat(
            Gql.codes(
                alice.run(
                    start,
                    "e",
                    dev.name(),
                    "id",
                    prod.scheduleId(),
                    "n",
                    1,
                    "from",
                    "2024-01-01T00:00:00Z",
                    "to",
                    "2024-01-02T00:00:00Z")))
        .containsExactly("NOT_FOUND");
    // a cap of 0 or a million, a window backwards or in the future
    for (Object[] bad :
        new Object[][] {
          {0, "2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z", "maxConcurrent"},
          {1_000_000, "2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z", "maxConcurrent"},
          {1, "2024-01-02T00:00:00Z", "2024-01-01T00:00:00Z", "to"},
          {1, "2024-01-01T00:00:00Z", "2999-01-01T00:00:00Z", "to"}
        }) {
      JsonPath r =
          alice.run(
              start,
              "e",
              dev.name(),
              "id",
              dev.scheduleId(),
              "n",
              bad[0],
              "from",
              bad[1],
              "to",
              bad[2]);
      assertThat(Gql.codes(r)).as(r.prettify()).containsExactly("INVALID_INPUT");
      assertThat(r.prettify()).contains(bad[3].toString());
    }
    // cancelling twice answers the same, cancelled backfill
    JsonPath own =
        alice.run(
            start,
            "e",
            dev.name(),
            "id",
            dev.scheduleId(),
            "n",
            1,
            "from",
            "2024-01-01T00:00:00Z",
            "to",
            "2024-01-02T00:00:00Z");
    String id = own.getString("data.backfillSchedule.id");
    String twice = cancel.replace("{ id }", "{ id state }");
    assertThat(alice.run(twice, "e", dev.name(), "id", id).getString("data.cancelBackfill.state"))
        .isEqualTo("CANCELLED");
    JsonPath again = alice.run(twice, "e", dev.name(), "id", id);
    assertThat(Gql.codes(again)).isEmpty();
    assertThat(again.getString("data.cancelBackfill.state")).isEqualTo("CANCELLED");
  }

  @Test
  void aRunIsInvisibleByIdAcrossEnvironments() {
    // bob reads dev; a prod run by its id is "not found" to him, and the refusal is audited
    JsonPath r =
        Gql.as("bob").run("query($id: String!) { run(id: $id) { id } }", "id", prod.runId());
    assertThat(Gql.codes(r)).containsExactly("NOT_FOUND");
    assertThat(r.getString("data.run")).isNull();
    assertThat(r.prettify()).doesNotContain(prod.name());
    JsonPath logs =
        Gql.as("bob")
            .run(
                "query($t: String!, $r: String!) { logs(taskRunId: $t, runId: $r) { complete } }",
                "t",
                prod.taskRunId(),
                "r",
                prod.runId());
    assertThat(Gql.codes(logs)).containsExactly("NOT_FOUND");
    // a dev run cannot be used to read a prod task run's logs either
    JsonPath mixed =
        Gql.as("bob")
            .run(
                "query($t: String!, $r: String!) { logs(taskRunId: $t, runId: $r) { complete } }",
                "t",
                prod.taskRunId(),
                "r",
                dev.runId());
    assertThat(Gql.codes(mixed)).containsExactly("NOT_FOUND");
    // named by the task run alone (the gateway knows its run once someone has read it), the
    // answer does not give away the prod run it belongs to
    Gql.as("admin").run("query($id: String!) { run(id: $id) { id } }", "id", prod.runId());
    JsonPath alone =
        Gql.as("bob")
            .run("query($t: String!) { logs(taskRunId: $t) { complete } }", "t", prod.taskRunId());
    assertThat(Gql.codes(alone)).containsExactly("NOT_FOUND");
    assertThat(alone.prettify()).doesNotContain(prod.runId());
    JsonPath audit =
        Gql.as("admin")
            .run(
                "{ auditLog(actor: \"bob\", outcome: \"DENIED\", limit: 20) { action environment } }");
    assertThat(audit.getList("data.auditLog.action")).contains("run", "logs");
  }

  @Test
  void workersShowOnlyTheAttemptsOfRunsTheCallerMayRead() {
    // one worker serves g1 of both environments and runs an attempt of each; another serves prod's
    // g1 only, and one of an old version names no environment
    Stub.workers(
        List.of(
            Map.of("workerId", "w-prod", "groups", List.of(prod.name() + "/g1")),
            Map.of("workerId", "w-bare", "groups", List.of("g1")),
            Map.of(
                "workerId",
                "w-shared",
                "groups",
                List.of(dev.name() + "/g1", prod.name() + "/g1"),
                "running",
                List.of(
                    Map.of("runId", dev.runId(), "taskRunId", dev.taskRunId(), "attempt", 1),
                    Map.of("runId", prod.runId(), "taskRunId", prod.taskRunId(), "attempt", 1)))));
    try {
      String query = "query($e: String!) { workers(environment: $e) { workerId running } }";
      JsonPath bobs = Gql.as("bob").run(query, "e", dev.name());
      assertThat(Gql.codes(bobs)).isEmpty();
      assertThat(bobs.getList("data.workers.workerId")).containsExactly("w-shared");
      assertThat(bobs.prettify())
          .contains(dev.runId())
          .doesNotContain(prod.runId())
          .doesNotContain(prod.taskRunId());
      JsonPath admins = Gql.as("admin").run(query, "e", dev.name());
      assertThat(admins.prettify()).contains(dev.runId(), prod.runId());
    } finally {
      Stub.workers(List.of());
    }
  }

  @Test
  void anEnvironmentWithoutRightsAnswersLikeOneThatDoesNotExist() {
    // bob reads dev only: prod and an environment that does not exist get the same refusal
    for (String env : List.of(prod.name(), Fixture.unique("ghost"))) {
      JsonPath pipelines =
          Gql.as("bob").run("query($e: String!) { pipelines(environment: $e) { name } }", "e", env);
      assertThat(Gql.codes(pipelines)).as(env).containsExactly("FORBIDDEN");
      JsonPath schedule =
          Gql.as("bob")
              .run(
                  "query($e: String!, $id: String!) { schedule(environment: $e, id: $id) { id } }",
                  "e",
                  env,
                  "id",
                  prod.scheduleId());
      assertThat(Gql.codes(schedule)).as(env).containsExactly("FORBIDDEN");
    }
  }

  @Test
  void environmentsListOnlyWhatTheCallerMaySee() {
    List<String> bobs =
        Gql.as("bob").run("{ environments { name } }").getList("data.environments.name");
    assertThat(bobs).contains(dev.name()).doesNotContain(prod.name());
    List<String> admins =
        Gql.as("admin").run("{ environments { name } }").getList("data.environments.name");
    assertThat(admins).contains(dev.name(), prod.name());
  }

  @Test
  void groupBindingsApplyToTheirMembers() {
    String env = Fixture.environment("grp");
    JsonPath before =
        Gql.as("alice").run("query($e: String!) { pipelines(environment: $e) { name } }", "e", env);
    assertThat(Gql.codes(before)).containsExactly("FORBIDDEN");
    // alice is in the data-engineers group of the local Keycloak (the groups claim)
    Fixture.bind("GROUP", "data-engineers", env, "read");
    JsonPath after =
        Gql.as("alice").run("query($e: String!) { pipelines(environment: $e) { name } }", "e", env);
    assertThat(Gql.codes(after)).isEmpty();
    JsonPath bob =
        Gql.as("bob").run("query($e: String!) { pipelines(environment: $e) { name } }", "e", env);
    assertThat(Gql.codes(bob)).containsExactly("FORBIDDEN");
  }

  @Test
  void callsToServicesCarryTheServiceTokenAndTheActor() {
    Gql.as("alice")
        .run(
            "mutation($e: String!) { startRun(environment: $e, pipeline: \"p\") { id } }",
            "e",
            dev.name());
    List<Map<String, Object>> calls = Stub.calls();
    assertThat(calls)
        .allSatisfy(
            c ->
                assertThat(c.get("authorization"))
                    .isEqualTo("Bearer test-service-token-0123456789"));
    assertThat(calls)
        .anySatisfy(
            c -> {
              assertThat(c.get("path"))
                  .isEqualTo("/api/v1/environments/" + dev.name() + "/pipelines/p/runs");
              assertThat(c.get("actor")).isEqualTo("alice");
            });
  }

  @Test
  void deniedMutationsNeverReachTheServices() {
    String marker = Fixture.unique("never");
    Gql.as("bob")
        .run(
            "mutation($e: String!, $n: String!) { savePipeline(environment: $e, name: $n,"
                + " definition: \"x\") { name } }",
            "e",
            dev.name(),
            "n",
            marker);
    assertThat(Stub.calls()).noneSatisfy(c -> assertThat((String) c.get("path")).contains(marker));
  }

  @Test
  void mutationsAreAudited() {
    String wg = Fixture.unique("g");
    Gql.as("alice")
        .run(
            "mutation($e: String!, $n: String!) { createWorkerGroup(environment: $e, name: $n) {"
                + " name } }",
            "e",
            dev.name(),
            "n",
            wg);
    JsonPath audit =
        Gql.as("admin")
            .run(
                "query($e: String!) { auditLog(environment: $e, action: \"createWorkerGroup\","
                    + " limit: 50) { actor target outcome at } }",
                "e",
                dev.name());
    assertThat(audit.getList("data.auditLog.target")).contains("worker group " + wg);
    assertThat(audit.getList("data.auditLog.actor")).contains("alice");
  }
}
