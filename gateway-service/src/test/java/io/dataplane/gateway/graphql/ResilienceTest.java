package io.dataplane.gateway.graphql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dataplane.gateway.support.Fixture;
import io.dataplane.gateway.support.Gql;
import io.dataplane.gateway.support.Stub;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Retries and the circuit breaker on the calls to a service that fails. */
@QuarkusTest
class ResilienceTest {

  private static long callsTo(String path) {
    return Stub.calls().stream().filter(c -> path.equals(c.get("path"))).count();
  }

  private static long callsTo(String method, String path) {
    return Stub.calls().stream()
        .filter(c -> method.equals(c.get("method")) && path.equals(c.get("path")))
        .count();
  }

  @Test
  void aFailingServiceIsRetriedThenCutOffUntilItRecovers() {
    String env = Fixture.environment("cb");
    String path = "/api/v1/environments/" + env + "/pipelines/p/files";
    String query = "query($e: String!) { files(environment: $e, pipeline: \"p\") { path } }";
    Stub.down("filestore");
    try {
      JsonPath first = Gql.as("admin").run(query, "e", env);
      assertThat(Gql.codes(first)).containsExactly("UNAVAILABLE");
      // a read is retried: one call and two retries
      assertThat(callsTo(path)).isEqualTo(3);
      for (int i = 0; i < 5; i++) {
        assertThat(Gql.codes(Gql.as("admin").run(query, "e", env))).containsExactly("UNAVAILABLE");
      }
      // the breaker opened after ten failed calls: the service is no longer called
      long whileOpen = callsTo(path);
      assertThat(whileOpen).isLessThan(18);
      Stub.up("filestore");
      assertThat(Gql.codes(Gql.as("admin").run(query, "e", env))).containsExactly("UNAVAILABLE");
      assertThat(callsTo(path)).isEqualTo(whileOpen);
    } finally {
      Stub.up("filestore");
    }
    // after its delay the breaker lets a trial call through, and closes again
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> Gql.codes(Gql.as("admin").run(query, "e", env)).isEmpty());
  }

  @Test
  void aChangeThatIsNotIdempotentIsSentOnceWhileReadsAreRetried() {
    String env = Fixture.environment("noretry");
    String path = "/api/v1/environments/" + env + "/schedules";
    Stub.down("scheduler");
    try {
      JsonPath created =
          Gql.as("admin")
              .run(
                  "mutation($e: String!) { createSchedule(environment: $e, input: {pipeline:"
                      + " \"p\", cron: \"0 1 * * *\"}) { id } }",
                  "e",
                  env);
      assertThat(Gql.codes(created)).containsExactly("UNAVAILABLE");
      assertThat(callsTo("POST", path)).isEqualTo(1);
      JsonPath listed =
          Gql.as("admin").run("query($e: String!) { schedules(environment: $e) { id } }", "e", env);
      assertThat(Gql.codes(listed)).containsExactly("UNAVAILABLE");
      assertThat(callsTo("GET", path)).isEqualTo(3);
    } finally {
      Stub.up("scheduler");
    }
  }
}
