package io.dataplane.orchestrator;

import static io.dataplane.orchestrator.Api.api;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.startsWith;

import io.dataplane.common.events.DispatchTopics;
import io.dataplane.common.events.Topics;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/** The REST API of environments, worker groups, pipelines, releases, promotions and runs. */
@QuarkusTest
class PipelineApiTest {

  private static final String ETL =
      """
      description: nightly
      params:
        day: {type: string, required: true}
        limit: {type: integer, default: 10}
      tasks:
        - {key: extract, runtime: bash, script: echo e, workerGroup: etl}
        - {key: load, runtime: python, entrypoint: load.py, dependsOn: [extract], timeout: 30s}
      """;

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void environmentsAndWorkerGroups() {
    String env = Api.env();
    api()
        .get("/api/v1/environments/{e}", env)
        .then()
        .statusCode(200)
        .body("name", equalTo(env))
        .body("createdBy", equalTo("tester"));
    api().get("/api/v1/environments").then().statusCode(200).body("name", hasItem(env));
    api()
        .contentType("application/json")
        .body(Map.of("name", env))
        .post("/api/v1/environments")
        .then()
        .statusCode(409)
        .body("code", equalTo("CONFLICT"));
    api()
        .contentType("application/json")
        .body(Map.of("name", "Bad Name"))
        .post("/api/v1/environments")
        .then()
        .statusCode(400)
        .body("code", equalTo("INVALID_INPUT"));
    api()
        .get("/api/v1/environments/{e}", Api.unique("nope"))
        .then()
        .statusCode(404)
        .body("code", equalTo("NOT_FOUND"));
    Api.group(env, "etl");
    api()
        .get("/api/v1/environments/{e}/worker-groups", env)
        .then()
        .statusCode(200)
        .body("name", hasItems("default", "etl"));
    api()
        .contentType("application/json")
        .body(Map.of("name", "etl"))
        .post("/api/v1/environments/{e}/worker-groups", env)
        .then()
        .statusCode(409);
  }

  @Test
  void aNewWorkerGroupGetsADispatchTopicOfOnePartition() throws Exception {
    String env = Api.env();
    String group = Api.unique("wg");
    Api.group(env, group);
    Properties p = new Properties();
    p.put(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
    try (Admin admin = Admin.create(p)) {
      String topic = Topics.taskDispatch(env, group);
      // created with the group, or (on a slow broker) right after it in the background
      TopicDescription d =
          org.awaitility.Awaitility.await()
              .atMost(java.time.Duration.ofSeconds(20))
              .ignoreExceptions()
              .until(
                  () ->
                      admin
                          .describeTopics(List.of(topic))
                          .allTopicNames()
                          .get(5, TimeUnit.SECONDS)
                          .get(topic),
                  java.util.Objects::nonNull);
      assertThat(d.partitions()).as("partitions of %s", topic).hasSize(DispatchTopics.PARTITIONS);
    }
  }

  @Test
  void invalidDefinitionsGetEveryErrorWithPaths() {
    String env = Api.env();
    String bad =
        """
        tasks:
          - {key: a, runtime: ruby, script: x, dependsOn: [b]}
          - {key: b, runtime: bash, script: x, dependsOn: [a], workerGroup: gpu, timeout: soon}
          - {key: b, runtime: bash, script: x, dependsOn: [ghost], colour: red}
        """;
    api()
        .contentType("application/yaml")
        .body(bytes(bad))
        .put("/api/v1/environments/{e}/pipelines/p1", env)
        .then()
        .statusCode(400)
        .body("code", equalTo("INVALID_INPUT"))
        .body(
            "details.path",
            hasItems(
                "tasks[0].runtime",
                "tasks[1].workerGroup",
                "tasks[1].timeout",
                "tasks[2].key",
                "tasks[2].dependsOn[0]",
                "tasks[2].colour",
                "tasks[0].dependsOn"))
        .body(
            "details.code",
            hasItems(
                "INVALID_RUNTIME",
                "UNKNOWN_WORKER_GROUP",
                "INVALID_DURATION",
                "DUPLICATE_KEY",
                "UNKNOWN_DEPENDENCY",
                "UNKNOWN_FIELD",
                "CYCLE"));
    JsonPath v =
        api()
            .contentType("application/yaml")
            .body(bytes(bad))
            .post("/api/v1/environments/{e}/pipelines/p1/validate", env)
            .then()
            .statusCode(200)
            .body("valid", equalTo(false))
            .extract()
            .jsonPath();
    assertThat(v.getList("errors.message", String.class)).anyMatch(m -> m.contains("a -> b -> a"));
    api().get("/api/v1/environments/{e}/pipelines/p1", env).then().statusCode(404);
  }

  @Test
  void validationNamesTheWorkerGroupsTheTasksRunIn() {
    String env = Api.env();
    String def =
        """
        name: p2
        workerGroup: etl
        tasks:
          - {key: a, runtime: bash, script: "true"}
          - {key: b, runtime: bash, script: "true", workerGroup: gpu}
          - {key: c, runtime: bash, script: "true", workerGroup: default, dependsOn: [zzz]}
        """;
    JsonPath v =
        api()
            .contentType("application/yaml")
            .body(bytes(def))
            .post("/api/v1/environments/{e}/pipelines/p2/validate", env)
            .then()
            .statusCode(200)
            .body("valid", equalTo(false))
            .extract()
            .jsonPath();
    // etl and gpu do not exist and c depends on nothing known: the groups are named all the same
    assertThat(v.getList("workerGroups", String.class)).containsExactly("default", "etl", "gpu");
  }

  @Test
  void draftsReleasesAndRuns() {
    String env = Api.env();
    Api.group(env, "etl");
    api()
        .contentType("application/yaml")
        .body(bytes(ETL))
        .put("/api/v1/environments/{e}/pipelines/etl", env)
        .then()
        .statusCode(201)
        .body("definition.tasks.key", equalTo(List.of("extract", "load")))
        .body("definition.tasks[1].timeout", equalTo("PT30S"))
        .body("definition.tasks[1].workerGroup", equalTo("default"));
    // updating the draft answers 200; the same content as JSON gives the same normalized definition
    String json =
        """
        {"description":"nightly","params":{"day":{"type":"string","required":true},"limit":{"type":"integer","default":10}},
         "tasks":[{"key":"load","runtime":"python","entrypoint":"load.py","dependsOn":["extract"],"timeout":"PT30S"},
                  {"key":"extract","runtime":"bash","script":"echo e","workerGroup":"etl"}]}
        """;
    String r1 =
        api()
            .contentType("application/json")
            .body("{}")
            .post("/api/v1/environments/{e}/pipelines/etl/releases", env)
            .then()
            .statusCode(201)
            .body("digest", startsWith("sha256:"))
            .extract()
            .path("id");
    api()
        .contentType("application/json")
        .body(json)
        .put("/api/v1/environments/{e}/pipelines/etl", env)
        .then()
        .statusCode(200);
    // identical content: the same release
    api()
        .contentType("application/json")
        .body("{}")
        .post("/api/v1/environments/{e}/pipelines/etl/releases", env)
        .then()
        .statusCode(200)
        .body("id", equalTo(r1));
    String digest = "sha256:" + "a".repeat(64);
    String r2 =
        api()
            .contentType("application/json")
            .body(Map.of("bundleDigest", digest))
            .post("/api/v1/environments/{e}/pipelines/etl/releases", env)
            .then()
            .statusCode(201)
            .body("bundleDigest", equalTo(digest))
            .extract()
            .path("id");
    api()
        .contentType("application/json")
        .body(Map.of("bundleDigest", "md5:x"))
        .post("/api/v1/environments/{e}/pipelines/etl/releases", env)
        .then()
        .statusCode(400);
    api()
        .get("/api/v1/environments/{e}/pipelines/etl/releases", env)
        .then()
        .statusCode(200)
        .body("id", equalTo(List.of(r2, r1)));
    api().get("/api/v1/releases/{id}", r1).then().statusCode(200).body("pipeline", equalTo("etl"));
    api()
        .get("/api/v1/releases/{a}/diff/{b}", r1, r2)
        .then()
        .statusCode(200)
        .body("bundleChanged", equalTo(true))
        .body("changes.path", hasItem("bundleDigest"));
    api()
        .get("/api/v1/environments/{e}/pipelines/etl", env)
        .then()
        .statusCode(200)
        .body("latestReleaseId", equalTo(r2));
    api()
        .get("/api/v1/environments/{e}/pipelines", env)
        .then()
        .statusCode(200)
        .body("name", equalTo(List.of("etl")));

    // params are validated
    api()
        .contentType("application/json")
        .body(Map.of("params", Map.of("limit", "ten", "extra", 1)))
        .post("/api/v1/environments/{e}/pipelines/etl/runs", env)
        .then()
        .statusCode(400)
        .body("details.path", hasItems("params.limit", "params.extra", "params.day"));
    JsonPath run =
        api()
            .contentType("application/json")
            .body(Map.of("params", Map.of("day", "2026-11-22"), "releaseId", r1))
            .post("/api/v1/environments/{e}/pipelines/etl/runs", env)
            .then()
            .statusCode(201)
            .extract()
            .jsonPath();
    assertThat(run.getString("releaseId")).isEqualTo(r1);
    assertThat(run.getMap("params")).containsEntry("limit", 10).containsEntry("day", "2026-11-22");
    assertThat(run.getString("state")).isEqualTo("RUNNING");
    assertThat(run.getString("taskRuns.find { it.taskKey == 'extract' }.state"))
        .isEqualTo("QUEUED");
    assertThat(run.getString("taskRuns.find { it.taskKey == 'load' }.state")).isEqualTo("PENDING");
    api()
        .post("/api/v1/runs/{id}/cancel", run.getString("id"))
        .then()
        .statusCode(200)
        .body("state", equalTo("CANCELLED"));
    api().get("/api/v1/runs/{id}", "not-a-uuid").then().statusCode(404);

    // a deleted draft cannot start runs; its releases remain
    api().delete("/api/v1/environments/{e}/pipelines/etl", env).then().statusCode(204);
    api().get("/api/v1/environments/{e}/pipelines/etl", env).then().statusCode(404);
    api().get("/api/v1/releases/{id}", r1).then().statusCode(200);
  }

  @Test
  void runListIsPagedWithACursor() {
    String env = Api.env();
    Api.deploy(env, "p", "tasks: [{key: t, runtime: bash, script: x}]");
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      ids.add(Api.start(env, "p", Map.of()));
    }
    Set<String> seen = new HashSet<>();
    String cursor = null;
    int pages = 0;
    do {
      var req = api().queryParam("environment", env).queryParam("limit", 2);
      if (cursor != null) {
        req = req.queryParam("cursor", cursor);
      }
      JsonPath page = req.get("/api/v1/runs").then().statusCode(200).extract().jsonPath();
      List<String> items = page.getList("items.id");
      assertThat(items.size()).isLessThanOrEqualTo(2);
      seen.addAll(items);
      cursor = page.getString("nextCursor");
      pages++;
    } while (cursor != null);
    assertThat(seen).isEqualTo(ids);
    assertThat(pages).isEqualTo(3);
    api()
        .queryParam("environment", env)
        .queryParam("state", "RUNNING")
        .get("/api/v1/runs")
        .then()
        .statusCode(200)
        .body("items.size()", equalTo(5));
    api().queryParam("state", "NOPE").get("/api/v1/runs").then().statusCode(400);
    ids.forEach(id -> api().post("/api/v1/runs/{id}/cancel", id).then().statusCode(200));
  }

  @Test
  void promotionCopiesTheReleaseAndRecordsADeployment() {
    String dev = Api.env();
    String prod = Api.env();
    Api.group(dev, "etl");
    Api.group(prod, "etl-prod");
    api()
        .contentType("application/yaml")
        .body(bytes(ETL))
        .put("/api/v1/environments/{e}/pipelines/etl", dev)
        .then()
        .statusCode(201);
    String rel =
        api()
            .contentType("application/json")
            .body(Map.of("bundleDigest", "sha256:" + "b".repeat(64)))
            .post("/api/v1/environments/{e}/pipelines/etl/releases", dev)
            .then()
            .statusCode(201)
            .extract()
            .path("id");
    // "etl" does not exist in prod: refused with the path of the task
    api()
        .contentType("application/json")
        .body(Map.of("targetEnvironment", prod))
        .post("/api/v1/releases/{id}/promotions", rel)
        .then()
        .statusCode(400)
        .body("details.code", hasItem("UNKNOWN_WORKER_GROUP"));
    JsonPath p =
        api()
            .contentType("application/json")
            .body(Map.of("targetEnvironment", prod, "workerGroupMap", Map.of("etl", "etl-prod")))
            .post("/api/v1/releases/{id}/promotions", rel)
            .then()
            .statusCode(201)
            .extract()
            .jsonPath();
    assertThat(p.getString("deployment.fromEnvironment")).isEqualTo(dev);
    assertThat(p.getString("deployment.fromReleaseId")).isEqualTo(rel);
    assertThat(p.getString("deployment.deployedBy")).isEqualTo("tester");
    assertThat(p.getString("environment")).isEqualTo(prod);
    assertThat(p.getString("bundleDigest")).isEqualTo("sha256:" + "b".repeat(64));
    assertThat(p.getString("definition.tasks.find { it.key == 'extract' }.workerGroup"))
        .isEqualTo("etl-prod");
    api()
        .get("/api/v1/environments/{e}/pipelines/etl/releases", prod)
        .then()
        .statusCode(200)
        .body("size()", equalTo(1));
    api()
        .get("/api/v1/environments/{e}/pipelines/etl/deployments", prod)
        .then()
        .statusCode(200)
        .body("size()", equalTo(1));
    api().get("/api/v1/environments/{e}/pipelines/etl", prod).then().statusCode(200);
  }

  private static String release(String env, String yaml) {
    api()
        .contentType("application/yaml")
        .body(bytes(yaml))
        .put("/api/v1/environments/{e}/pipelines/rb", env)
        .then()
        .statusCode(org.hamcrest.Matchers.oneOf(200, 201));
    return api()
        .contentType("application/json")
        .body("{}")
        .post("/api/v1/environments/{e}/pipelines/rb/releases", env)
        .then()
        .statusCode(org.hamcrest.Matchers.oneOf(200, 201))
        .extract()
        .path("id");
  }

  private static String releaseOfNewRun(String env) {
    return api()
        .contentType("application/json")
        .body(Map.of())
        .post("/api/v1/environments/{e}/pipelines/rb/runs", env)
        .then()
        .statusCode(201)
        .extract()
        .path("releaseId");
  }

  private static io.restassured.response.Response rollback(String env, String releaseId) {
    return api()
        .contentType("application/json")
        .body(Map.of("releaseId", releaseId))
        .post("/api/v1/environments/{e}/pipelines/rb/rollback", env);
  }

  @Test
  void aRollbackMakesAnEarlierReleaseCurrentAndIsRecordedAsADeployment() {
    String env = Api.env();
    String v1 = release(env, "tasks:\n  - {key: a, runtime: bash, script: echo one}\n");
    String v2 = release(env, "tasks:\n  - {key: a, runtime: bash, script: echo two}\n");
    assertThat(releaseOfNewRun(env)).isEqualTo(v2);

    JsonPath d = rollback(env, v1).then().statusCode(201).extract().jsonPath();
    assertThat(d.getString("kind")).isEqualTo("ROLLBACK");
    assertThat(d.getString("releaseId")).isEqualTo(v1);
    assertThat(d.getString("fromReleaseId")).isEqualTo(v2);
    assertThat(d.getString("deployedBy")).isEqualTo("tester");
    assertThat(releaseOfNewRun(env)).isEqualTo(v1);
    api()
        .get("/api/v1/environments/{e}/pipelines/rb", env)
        .then()
        .statusCode(200)
        .body("latestReleaseId", equalTo(v1));
    api()
        .get("/api/v1/environments/{e}/pipelines/rb/deployments", env)
        .then()
        .statusCode(200)
        .body("kind", equalTo(List.of("ROLLBACK")));

    // the same again changes nothing and records nothing
    rollback(env, v1).then().statusCode(204);
    // releasing v2's content again makes it current again (content-addressed: the same release)
    assertThat(release(env, "tasks:\n  - {key: a, runtime: bash, script: echo two}\n"))
        .isEqualTo(v2);
    assertThat(releaseOfNewRun(env)).isEqualTo(v2);
  }

  @Test
  void aRollbackToAnotherPipelinesOrEnvironmentsReleaseIsRefused() {
    String env = Api.env();
    String other = Api.env();
    release(env, "tasks:\n  - {key: a, runtime: bash, script: echo one}\n");
    String theirs = release(other, "tasks:\n  - {key: a, runtime: bash, script: echo theirs}\n");
    rollback(env, theirs)
        .then()
        .statusCode(400)
        .body("details.path", hasItem("releaseId"))
        .body("message", org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString("theirs")));
    rollback(env, "not-a-uuid").then().statusCode(404);
    api()
        .contentType("application/json")
        .body("{}")
        .post("/api/v1/environments/{e}/pipelines/rb/rollback", env)
        .then()
        .statusCode(400);
    api()
        .get("/api/v1/environments/{e}/pipelines/rb/deployments", env)
        .then()
        .statusCode(200)
        .body("size()", equalTo(0));
  }

  @Test
  void aRollbackToAReleaseWhoseWorkerGroupIsGoneIsRefused() {
    String env = Api.env();
    Api.group(env, "old");
    String v1 =
        release(env, "tasks:\n  - {key: a, runtime: bash, script: echo one, workerGroup: old}\n");
    release(env, "tasks:\n  - {key: a, runtime: bash, script: echo two}\n");
    api().delete("/api/v1/environments/{e}/worker-groups/old", env).then().statusCode(204);
    rollback(env, v1).then().statusCode(400).body("details.code", hasItem("UNKNOWN_WORKER_GROUP"));
  }

  @Test
  void aWorkerGroupInUseCannotBeDeletedAndSaysByWhat() {
    String env = Api.env();
    Api.group(env, "etl");
    api()
        .delete("/api/v1/environments/{e}/worker-groups/default", env)
        .then()
        .statusCode(409)
        .body("message", org.hamcrest.Matchers.containsString("tasks that name no group"));
    api()
        .contentType("application/yaml")
        .body(bytes("tasks:\n  - {key: a, runtime: bash, script: 'true', workerGroup: etl}\n"))
        .put("/api/v1/environments/{e}/pipelines/uses-etl", env)
        .then()
        .statusCode(201);
    api()
        .delete("/api/v1/environments/{e}/worker-groups/etl", env)
        .then()
        .statusCode(409)
        .body("message", org.hamcrest.Matchers.containsString("pipeline(s) uses-etl"));
    api()
        .contentType("application/json")
        .body("{}")
        .post("/api/v1/environments/{e}/pipelines/uses-etl/releases", env)
        .then()
        .statusCode(201);
    // a run whose task waits in etl (no worker here): the group is busy, the run is named
    String run =
        api()
            .contentType("application/json")
            .body(Map.of())
            .post("/api/v1/environments/{e}/pipelines/uses-etl/runs", env)
            .then()
            .statusCode(201)
            .extract()
            .path("id");
    api()
        .contentType("application/yaml")
        .body(bytes("tasks:\n  - {key: a, runtime: bash, script: 'true'}\n"))
        .put("/api/v1/environments/{e}/pipelines/uses-etl", env)
        .then()
        .statusCode(200);
    api()
        .delete("/api/v1/environments/{e}/worker-groups/etl", env)
        .then()
        .statusCode(409)
        .body("message", org.hamcrest.Matchers.containsString(run));
    api().post("/api/v1/runs/{id}/cancel", run).then().statusCode(200);
    // still in the current release
    api()
        .delete("/api/v1/environments/{e}/worker-groups/etl", env)
        .then()
        .statusCode(409)
        .body("message", org.hamcrest.Matchers.containsString("uses-etl"));
    api()
        .contentType("application/json")
        .body("{}")
        .post("/api/v1/environments/{e}/pipelines/uses-etl/releases", env)
        .then()
        .statusCode(201);
    api()
        .contentType("application/json")
        .body(Map.of("description", "extract, transform, load"))
        .put("/api/v1/environments/{e}/worker-groups/etl", env)
        .then()
        .statusCode(200)
        .body("description", equalTo("extract, transform, load"));
    api().delete("/api/v1/environments/{e}/worker-groups/etl", env).then().statusCode(204);
    api().delete("/api/v1/environments/{e}/worker-groups/etl", env).then().statusCode(404);
    api()
        .contentType("application/json")
        .body(Map.of("description", "x"))
        .put("/api/v1/environments/{e}/worker-groups/nope", env)
        .then()
        .statusCode(404);
    api()
        .contentType("application/json")
        .body(Map.of("description", "the new one"))
        .put("/api/v1/environments/{e}", env)
        .then()
        .statusCode(200)
        .body("description", equalTo("the new one"));
  }

  @Test
  void openApiDocumentsTheApi() {
    api()
        .get("/q/openapi?format=json")
        .then()
        .statusCode(200)
        .body("paths", org.hamcrest.Matchers.hasKey("/api/v1/attempts/claim"))
        .body("paths", org.hamcrest.Matchers.hasKey("/api/v1/runs/{id}/rerun"));
  }
}
