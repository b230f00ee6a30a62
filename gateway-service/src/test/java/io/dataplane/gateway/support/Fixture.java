package io.dataplane.gateway.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Sets up environments and role bindings as the admin, with names unique to each test run. */
public final class Fixture {

  private Fixture() {}

  public static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  public static String environment(String prefix) {
    String env = unique(prefix);
    JsonPath r =
        Gql.as("admin")
            .run("mutation($n: String!) { createEnvironment(name: $n) { name } }", "n", env);
    assertThat(Gql.codes(r)).isEmpty();
    return env;
  }

  /** Binds a user (or a group, with kind GROUP) to permissions on an environment. */
  public static String bind(String kind, String subject, String env, String... permissions) {
    JsonPath r =
        Gql.as("admin")
            .run(
                "mutation($i: RoleBindingInput!) { bindRole(input: $i) { id } }",
                "i",
                Map.of(
                    "subjectKind",
                    kind,
                    "subject",
                    subject,
                    "scopeKind",
                    "ENVIRONMENT",
                    "environment",
                    env,
                    "permissions",
                    java.util.Arrays.stream(permissions).map(String::toUpperCase).toList()));
    assertThat(Gql.codes(r)).isEmpty();
    return r.getString("data.bindRole.id");
  }

  /** Creates an API key as {@code user} with one scope entry; returns the key. */
  public static String apiKey(String user, String env, String pipeline, String... permissions) {
    Map<String, Object> scope =
        pipeline == null
            ? Map.of(
                "environment",
                env,
                "permissions",
                java.util.Arrays.stream(permissions).map(String::toUpperCase).toList())
            : Map.of(
                "environment",
                env,
                "pipeline",
                pipeline,
                "permissions",
                java.util.Arrays.stream(permissions).map(String::toUpperCase).toList());
    JsonPath r =
        Gql.as(user)
            .run(
                "mutation($i: ApiKeyInput!) { createApiKey(input: $i) { key apiKey { id prefix } } }",
                "i",
                Map.of("name", unique("key"), "ttlDays", 1, "scope", List.of(scope)));
    assertThat(Gql.codes(r)).isEmpty();
    return r.getString("data.createApiKey.key");
  }
}
