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
 * Issue 17: notification channels and rules through GraphQL, authorized (write on the environment,
 * or on the rule's pipeline) and audited; scheduler-service stood in by the stub.
 */
@QuarkusTest
class NotificationGraphQLTest {

  private static final String CHANNEL =
      "mutation($e: String!, $i: NotificationChannelInput!) { createNotificationChannel("
          + "environment: $e, input: $i) { id kind url secretName createdBy } }";
  private static final String RULE =
      "mutation($e: String!, $i: NotificationRuleInput!) { createNotificationRule(environment: $e,"
          + " input: $i) { id pipeline events channelId } }";

  @Test
  void channelsAndRulesAreManagedThroughGraphQLAndAudited() {
    String env = Fixture.environment("ntf");
    Gql admin = Gql.as("admin");
    JsonPath ch =
        ok(
            admin.run(
                CHANNEL,
                "e",
                env,
                "i",
                Map.of(
                    "name", "ops",
                    "kind", "WEBHOOK",
                    "url", "https://hooks.example.com/x",
                    "secretName", "NOTIFY_HOOK")));
    String channelId = ch.getString("data.createNotificationChannel.id");
    assertThat(ch.getString("data.createNotificationChannel.createdBy")).isEqualTo("admin");
    JsonPath rule =
        ok(
            admin.run(
                RULE,
                "e",
                env,
                "i",
                Map.of(
                    "name",
                    "failures",
                    "pipeline",
                    "nightly",
                    "events",
                    List.of("RUN_FAILED"),
                    "channelId",
                    channelId,
                    "quietPeriodSeconds",
                    600)));
    String ruleId = rule.getString("data.createNotificationRule.id");
    assertThat(
            ok(admin.run(
                    "query($e: String!) { notificationChannels(environment: $e) { id } }",
                    "e",
                    env))
                .getList("data.notificationChannels.id"))
        .containsExactly(channelId);
    assertThat(
            ok(admin.run(
                    "query($e: String!) { notificationRules(environment: $e) { id } }", "e", env))
                .getList("data.notificationRules.id"))
        .containsExactly(ruleId);
    ok(
        admin.run(
            "query($e: String!) { notificationDeliveries(environment: $e) { delivery { id } } }",
            "e",
            env));
    ok(
        admin.run(
            "mutation($e: String!, $id: String!) { deleteNotificationRule(environment: $e, id:"
                + " $id) }",
            "e",
            env,
            "id",
            ruleId));
    ok(
        admin.run(
            "mutation($e: String!, $id: String!) { deleteNotificationChannel(environment: $e, id:"
                + " $id) }",
            "e",
            env,
            "id",
            channelId));
    JsonPath audit =
        ok(admin.run("{ auditLog(actor: \"admin\", limit: 50) { action environment } }"));
    assertThat(audit.getList("data.auditLog.action"))
        .contains(
            "createNotificationChannel",
            "createNotificationRule",
            "deleteNotificationRule",
            "deleteNotificationChannel");
  }

  @Test
  void readersMayListButNotChangeAndInputIsChecked() {
    String env = Fixture.environment("ntf");
    Gql reader = Gql.withKey(Fixture.apiKey("admin", env, null, "read"));
    JsonPath refused =
        reader.run(
            CHANNEL,
            "e",
            env,
            "i",
            Map.of("name", "x", "kind", "SLACK", "secretName", "NOTIFY_SLACK"));
    assertThat(Gql.codes(refused)).contains("FORBIDDEN");
    ok(reader.run("query($e: String!) { notificationChannels(environment: $e) { id } }", "e", env));
    JsonPath bad =
        Gql.as("admin")
            .run(
                CHANNEL,
                "e",
                env,
                "i",
                Map.of("name", "x", "kind", "SLACK", "secretName", "NOTIFY SLACK\r\n"));
    assertThat(Gql.codes(bad)).contains("INVALID_INPUT");
  }

  private static JsonPath ok(JsonPath r) {
    assertThat(Gql.codes(r)).as(r.prettify()).isEmpty();
    return r;
  }
}
