package io.dataplane.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.dataplane.gateway.support.Fixture;
import io.dataplane.gateway.support.Gql;
import io.dataplane.gateway.support.KeycloakUsers;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An API key acts with its owner's rights as they are at each use, never as they were when it was
 * made: a demoted admin's keys lose admin, an unbound user's keys lose the binding.
 */
@QuarkusTest
class ApiKeyOwnerTest {

  private static final String CREATE_ENV =
      "mutation($n: String!) { createEnvironment(name: $n) { name } }";

  private static String adminKey(Gql owner) {
    JsonPath r =
        owner.run(
            "mutation($i: ApiKeyInput!) { createApiKey(input: $i) { key } }",
            "i",
            Map.of(
                "name",
                Fixture.unique("admin-key"),
                "ttlDays",
                1,
                "scope",
                List.of(Map.of("environment", "*", "permissions", List.of("ADMIN")))));
    assertThat(Gql.codes(r)).isEmpty();
    return r.getString("data.createApiKey.key");
  }

  @Test
  void aKeyLosesAdminAtOnceWhenItsOwnerLosesTheRealmRole() {
    String name = Fixture.unique("kc-admin");
    String id = KeycloakUsers.create(name);
    try {
      KeycloakUsers.realmRole(id, "dataplane-admin", true);
      Gql owner = Gql.withToken(KeycloakUsers.signIn(name));
      assertThat(owner.run("{ me { subject admin } }").getBoolean("data.me.admin")).isTrue();
      String key = adminKey(owner);
      assertThat(Gql.codes(Gql.withKey(key).run(CREATE_ENV, "n", Fixture.unique("k1")))).isEmpty();

      // demoted in the identity provider; the next sign-in tells the gateway
      KeycloakUsers.realmRole(id, "dataplane-admin", false);
      Gql demoted = Gql.withToken(KeycloakUsers.signIn(name));
      assertThat(demoted.run("{ me { admin } }").getBoolean("data.me.admin")).isFalse();

      JsonPath r = Gql.withKey(key).run(CREATE_ENV, "n", Fixture.unique("k2"));
      assertThat(Gql.codes(r)).containsExactly("FORBIDDEN");
      assertThat(Gql.withKey(key).run("{ me { admin } }").getBoolean("data.me.admin")).isFalse();
    } finally {
      KeycloakUsers.delete(id);
    }
  }

  @Test
  void aKeyLosesAdminAtOnceWhenItsOwnersPlatformBindingGoes() {
    String name = Fixture.unique("kc-op");
    String id = KeycloakUsers.create(name);
    try {
      Gql owner = Gql.withToken(KeycloakUsers.signIn(name));
      owner.run("{ me { name } }");
      JsonPath bound =
          Gql.as("admin")
              .run(
                  "mutation($i: RoleBindingInput!) { bindRole(input: $i) { id subject pending } }",
                  "i",
                  Map.of(
                      "subjectKind",
                      "USER",
                      "subject",
                      name,
                      "scopeKind",
                      "PLATFORM",
                      "permissions",
                      List.of("ADMIN")));
      assertThat(Gql.codes(bound)).isEmpty();
      // bound by the user's subject, not by the name typed
      assertThat(bound.getString("data.bindRole.subject")).isEqualTo(id);
      assertThat(bound.getBoolean("data.bindRole.pending")).isFalse();
      String key = adminKey(owner);
      assertThat(Gql.codes(Gql.withKey(key).run(CREATE_ENV, "n", Fixture.unique("k3")))).isEmpty();

      Gql.as("admin")
          .run(
              "mutation($id: String!) { unbindRole(id: $id) { id } }",
              "id",
              bound.getString("data.bindRole.id"));
      JsonPath r = Gql.withKey(key).run(CREATE_ENV, "n", Fixture.unique("k4"));
      assertThat(Gql.codes(r)).containsExactly("FORBIDDEN");
    } finally {
      KeycloakUsers.delete(id);
    }
  }

  @Test
  void aBindingForANameNoOneHasUsedYetWaitsForThatUsersFirstSignIn() {
    String env = Fixture.environment("pend");
    String name = Fixture.unique("kc-new");
    JsonPath bound =
        Gql.as("admin")
            .run(
                "mutation($i: RoleBindingInput!) { bindRole(input: $i) { id subject pending } }",
                "i",
                Map.of(
                    "subjectKind",
                    "USER",
                    "subject",
                    name,
                    "scopeKind",
                    "ENVIRONMENT",
                    "environment",
                    env,
                    "permissions",
                    List.of("EXECUTE")));
    assertThat(bound.getBoolean("data.bindRole.pending")).isTrue();
    String id = KeycloakUsers.create(name);
    try {
      Gql user = Gql.withToken(KeycloakUsers.signIn(name));
      JsonPath me = user.run("{ me { subject name bindings { id subject pending } } }");
      assertThat(me.getString("data.me.subject")).isEqualTo(id);
      assertThat(me.getString("data.me.name")).isEqualTo(name);
      assertThat(me.getList("data.me.bindings.id"))
          .containsExactly(bound.getString("data.bindRole.id"));
      assertThat(me.getList("data.me.bindings.subject")).containsExactly(id);
      assertThat(me.getList("data.me.bindings.pending")).containsExactly(false);
    } finally {
      KeycloakUsers.delete(id);
    }
  }
}
