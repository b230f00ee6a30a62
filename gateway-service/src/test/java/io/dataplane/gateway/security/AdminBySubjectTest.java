package io.dataplane.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.dataplane.gateway.support.Gql;
import io.dataplane.gateway.support.KeycloakUsers;
import io.dataplane.gateway.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code dataplane.gateway.admins} names subjects: a user name there (here {@code alice}, or the
 * old default {@code admin}) makes no one admin; bob, named by his subject, is one.
 */
@QuarkusTest
@TestProfile(AdminBySubjectTest.Admins.class)
class AdminBySubjectTest {

  public static final class Admins implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "dataplane.gateway.admins",
          "alice,admin," + KeycloakUsers.subjectOf(Tokens.of("bob")),
          // no admin realm role in this test: configuration alone decides
          "dataplane.gateway.admin-role",
          "no-such-role");
    }
  }

  @Test
  void aUserNameInTheAdminsListMakesNoOneAdmin() {
    assertThat(Gql.as("alice").run("{ me { admin } }").getBoolean("data.me.admin")).isFalse();
    assertThat(Gql.as("admin").run("{ me { admin } }").getBoolean("data.me.admin")).isFalse();
    var r = Gql.as("alice").run("mutation { createEnvironment(name: \"by-name-admin\") { name } }");
    assertThat(Gql.codes(r)).containsExactly("FORBIDDEN");
  }

  @Test
  void aSubjectInTheAdminsListIsAdmin() {
    var me = Gql.as("bob").run("{ me { subject name admin } }");
    assertThat(me.getBoolean("data.me.admin")).isTrue();
    assertThat(me.getString("data.me.name")).isEqualTo("bob");
    assertThat(me.getString("data.me.subject"))
        .isEqualTo(KeycloakUsers.subjectOf(Tokens.of("bob")));
  }
}
