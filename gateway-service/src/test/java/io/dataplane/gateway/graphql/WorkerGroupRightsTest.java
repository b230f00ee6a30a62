package io.dataplane.gateway.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import io.dataplane.gateway.support.Fixture;
import io.dataplane.gateway.support.Gql;
import io.dataplane.gateway.support.Stub;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Using a worker group needs a right on it: a pipeline author with write on one pipeline cannot
 * send its tasks (and the secrets granted to a group) to a worker group they hold nothing on, when
 * saving, releasing or promoting. The right asked is read on the group (a binding on the group or
 * on its environment); the refusal is the same whether the group exists or not.
 */
@QuarkusTest
class WorkerGroupRightsTest {

  static final String SAVE =
      "mutation($e: String!, $n: String!, $d: String!) { savePipeline(environment: $e, name: $n,"
          + " definition: $d) { name } }";
  static final String RELEASE =
      "mutation($e: String!, $n: String!) { releasePipeline(environment: $e, pipeline: $n,"
          + " bundle: false) { id } }";

  static String definition(String name, String group) {
    return "name: "
        + name
        + "\ntasks:\n  - {key: a, runtime: bash, script: \"true\", workerGroup: "
        + group
        + ", secrets: [DB_PASSWORD]}\n";
  }

  /** An environment with groups etl and payments; alice may write and release pipeline p only. */
  static String setUp(String pipeline) {
    String env = Fixture.environment("wgr");
    for (String g : List.of("etl", "payments")) {
      JsonPath r =
          Gql.as("admin")
              .run(
                  "mutation($e: String!, $g: String!) { createWorkerGroup(environment: $e, name:"
                      + " $g) { name } }",
                  "e",
                  env,
                  "g",
                  g);
      assertThat(Gql.codes(r)).isEmpty();
    }
    bind("alice", env, "PIPELINE", pipeline, "WRITE", "RELEASE");
    return env;
  }

  static void bind(String user, String env, String scope, String resource, String... perms) {
    JsonPath r =
        Gql.as("admin")
            .run(
                "mutation($i: RoleBindingInput!) { bindRole(input: $i) { id } }",
                "i",
                Map.of(
                    "subjectKind",
                    "USER",
                    "subject",
                    user,
                    "scopeKind",
                    scope,
                    "environment",
                    env,
                    "resource",
                    resource,
                    "permissions",
                    List.of(perms)));
    assertThat(Gql.codes(r)).as(r.prettify()).isEmpty();
  }

  static JsonPath save(Gql as, String env, String name, String group) {
    return as.run(SAVE, "e", env, "n", name, "d", definition(name, group));
  }

  static boolean saved(String env, String name) {
    return Stub.calls().stream()
        .anyMatch(
            c ->
                "PUT".equals(c.get("method"))
                    && ("/api/v1/environments/" + env + "/pipelines/" + name)
                        .equals(c.get("path")));
  }

  @Test
  void aPipelineAuthorCannotSaveTasksIntoAGroupTheyHoldNothingOn() {
    String p = Fixture.unique("p");
    String env = setUp(p);
    JsonPath denied = save(Gql.as("alice"), env, p, "payments");
    assertThat(Gql.codes(denied)).containsExactly("FORBIDDEN");
    assertThat(denied.getString("errors[0].message")).contains("worker group payments");
    assertThat(saved(env, p)).as("the definition never reached the orchestrator").isFalse();

    // a group that does not exist is refused in the very same words: nothing tells them apart
    JsonPath unknown = save(Gql.as("alice"), env, p, "nosuch");
    assertThat(Gql.codes(unknown)).containsExactly("FORBIDDEN");
    assertThat(unknown.getString("errors[0].message").replace("nosuch", "payments"))
        .isEqualTo(denied.getString("errors[0].message"));

    // a right on the group itself (read is enough) lets the author use it, and only that one
    bind("alice", env, "WORKER_GROUP", "etl", "READ");
    assertThat(Gql.codes(save(Gql.as("alice"), env, p, "etl"))).isEmpty();
    assertThat(saved(env, p)).isTrue();
    assertThat(Gql.codes(save(Gql.as("alice"), env, p, "payments"))).containsExactly("FORBIDDEN");

    // the refusals are audited
    JsonPath audit =
        Gql.as("admin")
            .run(
                "query($e: String!) { auditLog(environment: $e, actor: \"alice\", outcome:"
                    + " \"DENIED\", limit: 20) { action target } }",
                "e",
                env);
    assertThat(audit.getList("data.auditLog.target", String.class))
        .contains("environment " + env + ", worker group payments");
  }

  @Test
  void environmentBindingsReachEveryGroupOfTheirEnvironmentOnly() {
    String p = Fixture.unique("p");
    String env = setUp(p);
    String other = Fixture.environment("wgr");
    Fixture.bind("USER", "bob", env, "write");
    assertThat(Gql.codes(save(Gql.as("bob"), env, p, "payments"))).isEmpty();
    // bob's binding on env says nothing of other's groups
    bind("bob", other, "PIPELINE", p, "WRITE");
    assertThat(Gql.codes(save(Gql.as("bob"), other, p, "payments"))).containsExactly("FORBIDDEN");
  }

  @Test
  void releasingADraftNeedsARightOnItsGroups() {
    String p = Fixture.unique("p");
    String env = setUp(p);
    // someone who may use payments saved the draft; alice may release p, not use payments
    assertThat(Gql.codes(save(Gql.as("admin"), env, p, "payments"))).isEmpty();
    JsonPath denied = Gql.as("alice").run(RELEASE, "e", env, "n", p);
    assertThat(Gql.codes(denied)).containsExactly("FORBIDDEN");
    assertThat(denied.getString("errors[0].message")).contains("worker group payments");
    bind("alice", env, "WORKER_GROUP", "payments", "READ");
    assertThat(Gql.codes(Gql.as("alice").run(RELEASE, "e", env, "n", p))).isEmpty();
  }

  @Test
  void promotingChecksTheGroupsTheTasksWillRunInThere() {
    String p = Fixture.unique("p");
    String source = setUp(p);
    String target = Fixture.environment("wgr");
    assertThat(Gql.codes(save(Gql.as("admin"), source, p, "etl"))).isEmpty();
    String releaseId =
        Gql.as("admin").run(RELEASE, "e", source, "n", p).getString("data.releasePipeline.id");
    Fixture.bind("USER", "alice", source, "read");
    bind("alice", target, "PIPELINE", p, "RELEASE");
    bind("alice", target, "WORKER_GROUP", "etl", "READ");
    String promote =
        "mutation($r: String!, $t: String!, $m: [WorkerGroupMapping!]) { promoteRelease(releaseId:"
            + " $r, targetEnvironment: $t, workerGroupMap: $m) { id } }";
    JsonPath denied =
        Gql.as("alice")
            .run(
                promote,
                "r",
                releaseId,
                "t",
                target,
                "m",
                List.of(Map.of("from", "etl", "to", "payments")));
    assertThat(Gql.codes(denied)).containsExactly("FORBIDDEN");
    assertThat(denied.getString("errors[0].message")).contains("worker group payments");
    assertThat(Gql.codes(Gql.as("alice").run(promote, "r", releaseId, "t", target, "m", List.of())))
        .isEmpty();
  }

  @Test
  void aKeyScopedToOnePipelineUsesItsOwnersGroupRights() {
    String p = Fixture.unique("p");
    String env = setUp(p);
    String key = Fixture.apiKey("alice", env, p, "write");
    assertThat(Gql.codes(save(Gql.withKey(key), env, p, "etl"))).containsExactly("FORBIDDEN");
    bind("alice", env, "WORKER_GROUP", "etl", "READ");
    assertThat(Gql.codes(save(Gql.withKey(key), env, p, "etl"))).isEmpty();
    // the key's scope still holds: it cannot save another pipeline through a group right
    assertThat(Gql.codes(save(Gql.withKey(key), env, p + "x", "etl"))).containsExactly("FORBIDDEN");
  }
}
