package io.dataplane.gateway.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import io.dataplane.gateway.support.Fixture;
import io.dataplane.gateway.support.Gql;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * deleteEnvironment (issue 17): admins only; refused while the environment holds pipelines,
 * schedules, secrets or live API keys, naming them; then its role bindings go with it, the name can
 * be used again, and deleting it twice is NOT_FOUND.
 */
@QuarkusTest
class EnvironmentDeletionTest {

  static final String DELETE = "mutation($n: String!) { deleteEnvironment(name: $n) }";

  private static JsonPath ok(JsonPath r) {
    assertThat(Gql.codes(r)).as(r.prettify()).isEmpty();
    return r;
  }

  @Test
  void refusedWhileItHoldsThingsThenDeletedWithItsBindings() {
    Gql admin = Gql.as("admin");
    String env = Fixture.environment("del");
    Fixture.bind("USER", "alice", env, "write", "execute", "secrets");
    Fixture.bind("USER", "bob", env, "read");
    ok(
        admin.run(
            "mutation($e: String!) { savePipeline(environment: $e, name: \"p\", definition:"
                + " \"tasks: []\") { name } setSecret(environment: $e, name: \"TOKEN\", value:"
                + " \"s3cret\") { name } }",
            "e",
            env));
    String schedule =
        ok(admin.run(
                "mutation($e: String!) { createSchedule(environment: $e, input: {pipeline: \"p\","
                    + " name: \"nightly\", cron: \"0 3 * * *\"}) { id } }",
                "e",
                env))
            .getString("data.createSchedule.id");
    String keyId =
        ok(Gql.as("alice")
                .run(
                    "mutation($i: ApiKeyInput!) { createApiKey(input: $i) { apiKey { id } } }",
                    "i",
                    Map.of(
                        "name",
                        "ci-key",
                        "ttlDays",
                        1,
                        "scope",
                        List.of(Map.of("environment", env, "permissions", List.of("READ"))))))
            .getString("data.createApiKey.apiKey.id");

    // not an admin: refused, whatever the environment holds
    JsonPath alice = Gql.as("alice").run(DELETE, "n", env);
    assertThat(Gql.codes(alice)).containsExactly("FORBIDDEN");

    JsonPath refused = admin.run(DELETE, "n", env);
    assertThat(Gql.codes(refused)).containsExactly("CONFLICT");
    assertThat(refused.prettify())
        .contains("1 pipeline(s): p", "1 schedule(s): nightly", "1 secret(s): TOKEN")
        .contains("1 live API key(s): ci-key");
    // nothing was lost
    ok(
        admin.run(
            "query($e: String!) { pipeline(environment: $e, name: \"p\") { name } }", "e", env));

    ok(
        admin.run(
            "mutation($e: String!, $s: String!, $k: String!) { deletePipeline(environment: $e,"
                + " name: \"p\") deleteSchedule(environment: $e, id: $s) deleteSecret(environment:"
                + " $e, name: \"TOKEN\") revokeApiKey(id: $k) { id } }",
            "e",
            env,
            "s",
            schedule,
            "k",
            keyId));
    assertThat(ok(admin.run(DELETE, "n", env)).getBoolean("data.deleteEnvironment")).isTrue();
    // twice: gone
    assertThat(Gql.codes(admin.run(DELETE, "n", env))).containsExactly("NOT_FOUND");
    assertThat(Gql.codes(admin.run(DELETE, "n", "never-was-here"))).containsExactly("NOT_FOUND");

    // the bindings went with it: a new environment of the same name grants bob nothing
    ok(admin.run("mutation($n: String!) { createEnvironment(name: $n) { name } }", "n", env));
    assertThat(
            ok(admin.run("query($e: String) { roleBindings(environment: $e) { id } }", "e", env))
                .getList("data.roleBindings"))
        .isEmpty();
    assertThat(
            Gql.codes(
                Gql.as("bob")
                    .run("query($e: String!) { pipelines(environment: $e) { name } }", "e", env)))
        .containsExactly("FORBIDDEN");
    JsonPath audit =
        ok(
            admin.run(
                "{ auditLog(action: \"deleteEnvironment\", limit: 20) { outcome environment actor } }"));
    assertThat(audit.getList("data.auditLog.outcome")).contains("OK", "FAILED", "DENIED");
  }
}
