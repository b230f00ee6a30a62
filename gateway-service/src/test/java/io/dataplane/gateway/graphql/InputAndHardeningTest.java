package io.dataplane.gateway.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import io.dataplane.gateway.support.Fixture;
import io.dataplane.gateway.support.Gql;
import io.dataplane.gateway.support.Stub;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Input errors with codes and paths, query depth and complexity, size limits, service outages. */
@QuarkusTest
class InputAndHardeningTest {

  @Test
  void invalidArgumentsAreReportedWithCodeAndPath() {
    JsonPath r =
        Gql.as("admin")
            .run(
                "mutation { createWorkerGroup(environment: \"Not Valid\", name: \"-x\") { name } }");
    assertThat(Gql.codes(r)).containsExactly("INVALID_INPUT");
    assertThat(r.getList("errors[0].path")).containsExactly("createWorkerGroup");
    assertThat(r.getList("errors[0].extensions.details.path"))
        .containsExactly("environment", "name");
    assertThat(r.getList("errors[0].extensions.details.code")).containsOnly("INVALID_INPUT");
  }

  @Test
  void nestedInputFieldsHaveTheirPath() {
    JsonPath r =
        Gql.as("admin")
            .run(
                "mutation { createApiKey(input: {name: \"k\", ttlDays: 9999, scope:"
                    + " [{environment: \"ok\", permissions: [READ]}, {environment: \"BAD\","
                    + " permissions: []}]}) { key } }");
    assertThat(Gql.codes(r)).containsExactly("INVALID_INPUT");
    assertThat(r.getList("errors[0].extensions.details.path"))
        .containsExactlyInAnyOrder(
            "input.scope[1].environment", "input.scope[1].permissions", "input.ttlDays");
  }

  @Test
  void typeErrorsInVariablesAndSyntaxErrorsHaveACode() {
    JsonPath enumError =
        Gql.as("admin")
            .run(
                "mutation($i: RoleBindingInput!) { bindRole(input: $i) { id } }",
                "i",
                Map.of(
                    "subjectKind", "USER",
                    "subject", "x",
                    "scopeKind", "ENVIRONMENT",
                    "environment", "e",
                    "permissions", List.of("fly")));
    assertThat(Gql.codes(enumError)).as(enumError.prettify()).containsExactly("INVALID_INPUT");
    assertThat(enumError.getString("errors[0].message")).contains("fly");
    JsonPath missing = Gql.as("admin").run("{ pipeline(environment: \"e\") { name } }");
    assertThat(Gql.codes(missing)).containsOnly("INVALID_INPUT");
    // a syntax error is refused before execution, with the position of the problem
    JsonPath syntax = Gql.as("admin").run("{ me { name ");
    assertThat(syntax.getList("errors")).hasSize(1);
    assertThat(syntax.getString("data")).isNull();
  }

  @Test
  void serviceValidationDetailsPassThrough() {
    String env = Fixture.environment("inp");
    JsonPath bad =
        Gql.as("admin")
            .run(
                "mutation($e: String!) { savePipeline(environment: $e, name: \"p\", definition:"
                    + " \"!!broken\") { name } }",
                "e",
                env);
    assertThat(Gql.codes(bad)).containsExactly("INVALID_INPUT");
    assertThat(bad.getList("errors[0].extensions.details.path")).containsExactly("tasks[0]");
    Gql.as("admin")
        .run(
            "mutation($e: String!) { savePipeline(environment: $e, name: \"c\", definition: \"a"
                + " cycle\") { name } }",
            "e",
            env);
    JsonPath validation =
        Gql.as("admin")
            .run(
                "mutation($e: String!) { validatePipeline(environment: $e, name: \"c\") { valid"
                    + " errors { path code message } } }",
                "e",
                env);
    assertThat(validation.getBoolean("data.validatePipeline.valid")).isFalse();
    assertThat(validation.getString("data.validatePipeline.errors[0].path"))
        .isEqualTo("tasks[1].dependsOn[0]");
    assertThat(validation.getString("data.validatePipeline.errors[0].code")).isEqualTo("CYCLE");
  }

  @Test
  void errorsNeverCarryStackTraces() {
    JsonPath r = Gql.as("admin").run("{ run(id: \"does-not-exist\") { id } }");
    assertThat(Gql.codes(r)).containsExactly("NOT_FOUND");
    assertThat(r.prettify()).doesNotContain("\tat ").doesNotContain(".java");
  }

  @Test
  void queriesDeeperThanTenAreRefused() {
    String deep =
        "{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType {"
            + " ofType { name } } } } } } } } } } }";
    JsonPath r = Gql.as("admin").run(deep);
    assertThat(Gql.codes(r)).containsExactly("TOO_LARGE");
    assertThat(r.getString("errors[0].message")).containsIgnoringCase("depth");
    String shallow = "{ __schema { types { name } } }";
    assertThat(Gql.codes(Gql.as("admin").run(shallow))).isEmpty();
  }

  @Test
  void tooComplexQueriesAreRefused() {
    StringBuilder q = new StringBuilder("{");
    for (int i = 0; i < 120; i++) {
      q.append(" a").append(i).append(": me { name admin }");
    }
    q.append(" }");
    JsonPath r = Gql.as("admin").run(q.toString());
    assertThat(Gql.codes(r)).containsExactly("TOO_LARGE");
    assertThat(r.getString("errors[0].message")).containsIgnoringCase("complexity");
  }

  @Test
  void oversizedRequestsAreRefused() {
    String big = "x".repeat(300_000);
    Response r =
        Gql.as("admin")
            .spec()
            .contentType(ContentType.JSON)
            .body(Map.of("query", "{ me { name } }", "variables", Map.of("pad", big)))
            .post("/graphql");
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(r.jsonPath().getString("code")).isEqualTo("TOO_LARGE");
  }

  /**
   * A chunked body declares no length: it is counted as it streams, and one over the limit is
   * refused with 413 before it is all read (the sender may see the connection closed under it).
   */
  @Test
  void oversizedChunkedRequestsAreRefused() throws Exception {
    String token = io.dataplane.gateway.support.Tokens.of("admin");
    String head = "{\"query\":\"{ me { name } }\",\"variables\":{\"pad\":\"";
    assertThat(chunkedStatus(token, head + "x".repeat(300_000) + "\"}}")).startsWith("413");
    // a small chunked body is served as before
    String small = chunkedStatus(token, head + "x".repeat(1_000) + "\"}}");
    assertThat(small).startsWith("200");
    assertThat(small).contains("\"name\":\"admin\"");
  }

  /** Sends a body with Transfer-Encoding: chunked (8 KiB chunks); the status line and body. */
  private static String chunkedStatus(String token, String body) throws Exception {
    byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", io.restassured.RestAssured.port)) {
      s.setSoTimeout(20_000);
      var out = s.getOutputStream();
      out.write(
          ("POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                  + token
                  + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                  + "Connection: close\r\n\r\n")
              .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      try {
        for (int off = 0; off < bytes.length; off += 8192) {
          int n = Math.min(8192, bytes.length - off);
          out.write((Integer.toHexString(n) + "\r\n").getBytes());
          out.write(bytes, off, n);
          out.write("\r\n".getBytes());
        }
        out.write("0\r\n\r\n".getBytes());
        out.flush();
      } catch (java.io.IOException closedUnderUs) {
        // the gateway answered and closed before the whole body was sent: read its answer
      }
      String answer =
          new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      return answer.substring(answer.indexOf(' ') + 1);
    }
  }

  @Test
  void aServiceThatIsDownFailsOnlyTheFieldsThatNeedIt() {
    String env = Fixture.environment("down");
    Stub.down("secrets");
    try {
      JsonPath r =
          Gql.as("admin")
              .run(
                  "query($e: String!) { me { name } secrets(environment: $e) { name } pipelines(environment: $e) { name } }",
                  "e",
                  env);
      assertThat(r.getString("data.me.name")).isEqualTo("admin");
      assertThat(r.getList("data.pipelines")).isEmpty();
      assertThat(r.getString("data.secrets")).isNull();
      assertThat(Gql.codes(r)).containsExactly("UNAVAILABLE");
      assertThat(r.getList("errors[0].path")).containsExactly("secrets");
      assertThat(r.getString("errors[0].message")).contains("secrets-service");
    } finally {
      Stub.up("secrets");
    }
  }

  @Test
  void anonymousAndForgedCallersAreRefused() {
    assertThat(Gql.anonymous().post("{ me { name } }", null).statusCode()).isEqualTo(401);
    Response forged =
        io.restassured.RestAssured.given()
            .header("Authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln")
            .contentType(ContentType.JSON)
            .body(Map.of("query", "{ me { name } }"))
            .post("/graphql");
    assertThat(forged.statusCode()).isEqualTo(401);
    Response badKey =
        io.restassured.RestAssured.given()
            .header("X-Api-Key", "dpk_not-a-real-key")
            .contentType(ContentType.JSON)
            .body(Map.of("query", "{ me { name } }"))
            .post("/graphql");
    assertThat(badKey.statusCode()).isEqualTo(401);
  }

  @Test
  void theSchemaIsPublishedOutsideProduction() {
    String schema =
        Gql.anonymous()
            .spec()
            .get("/graphql/schema.graphql")
            .then()
            .statusCode(200)
            .extract()
            .asString();
    for (String name :
        List.of(
            "me",
            "environments",
            "pipelines",
            "pipeline",
            "run",
            "runs",
            "logs",
            "workers",
            "schedules",
            "secrets",
            "createEnvironment",
            "createWorkerGroup",
            "savePipeline",
            "validatePipeline",
            "writeFile",
            "releasePipeline",
            "promoteRelease",
            "startRun",
            "cancelRun",
            "rerunRun",
            "setSecret",
            "grantSecret",
            "createSchedule",
            "createApiKey",
            "bindRole",
            "runUpdates",
            "logTail",
            "workerStats")) {
      assertThat(schema).containsPattern("\\b" + name + "\\(|\\b" + name + ":");
    }
  }
}
