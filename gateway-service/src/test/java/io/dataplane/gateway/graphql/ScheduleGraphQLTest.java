package io.dataplane.gateway.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import io.dataplane.gateway.support.Fixture;
import io.dataplane.gateway.support.Gql;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

/** Schedules as a user sees them through GraphQL (scheduler-service stood in by the stub). */
@QuarkusTest
class ScheduleGraphQLTest {

  @Test
  void aScheduleSaysWhetherItIsPaused() {
    String env = Fixture.environment("sch");
    Gql admin = Gql.as("admin");
    ok(
        admin.run(
            "mutation($e: String!) { savePipeline(environment: $e, name: \"p\", definition:"
                + " \"tasks: []\") { name } }",
            "e",
            env));
    JsonPath created =
        ok(
            admin.run(
                "mutation($e: String!) { createSchedule(environment: $e, input: {pipeline: \"p\","
                    + " cron: \"0 1 * * *\", paused: true}) { id state paused } }",
                "e",
                env));
    assertThat(created.getString("data.createSchedule.state")).isEqualTo("PAUSED");
    assertThat(created.getBoolean("data.createSchedule.paused")).isTrue();
    JsonPath resumed =
        ok(
            admin.run(
                "mutation($e: String!, $id: String!) { resumeSchedule(environment: $e, id: $id) {"
                    + " state paused } }",
                "e",
                env,
                "id",
                created.getString("data.createSchedule.id")));
    assertThat(resumed.getString("data.resumeSchedule.state")).isEqualTo("ENABLED");
    assertThat(resumed.getBoolean("data.resumeSchedule.paused")).isFalse();
    JsonPath listed =
        ok(admin.run("query($e: String!) { schedules(environment: $e) { paused } }", "e", env));
    assertThat(listed.getList("data.schedules.paused")).containsExactly(false);
  }

  @Test
  void anUnsavedRuleIsPreviewedWithReadOnItsPipelineAndNothingIsSaved() {
    String env = Fixture.environment("schpre");
    Gql admin = Gql.as("admin");
    ok(
        admin.run(
            "mutation($e: String!) { savePipeline(environment: $e, name: \"p\", definition:"
                + " \"tasks: []\") { name } }",
            "e",
            env));
    Fixture.bind("USER", "bob", env, "read");
    String preview =
        "query($e: String!, $c: Int!) { scheduleDraftPreview(environment: $e, count: $c, input:"
            + " {pipeline: \"p\", cron: \"0 6 * * *\", timezone: \"Europe/Paris\"}) }";
    JsonPath r = ok(Gql.as("bob").run(preview, "e", env, "c", 3));
    assertThat(r.getList("data.scheduleDraftPreview.fireTimes")).hasSize(3);
    assertThat(r.getString("data.scheduleDraftPreview.timezone")).isEqualTo("Europe/Paris");
    assertThat(r.getString("data.scheduleDraftPreview.fireTimes[0].rule")).isEqualTo("0 6 * * *");
    assertThat(
            ok(admin.run("query($e: String!) { schedules(environment: $e) { id } }", "e", env))
                .getList("data.schedules"))
        .isEmpty();
    // careless or hostile: no rule, a bad count, someone with no right in the environment
    assertThat(
            Gql.codes(
                Gql.as("bob")
                    .run(
                        "query($e: String!) { scheduleDraftPreview(environment: $e, input:"
                            + " {pipeline: \"p\"}) }",
                        "e",
                        env)))
        .containsExactly("INVALID_INPUT");
    assertThat(Gql.codes(Gql.as("bob").run(preview, "e", env, "c", 0)))
        .containsExactly("INVALID_INPUT");
    assertThat(Gql.codes(Gql.as("alice").run(preview, "e", env, "c", 3)))
        .containsExactly("FORBIDDEN");
  }

  private static JsonPath ok(JsonPath r) {
    assertThat(Gql.codes(r)).as(r.prettify()).isEmpty();
    return r;
  }
}
