package io.dataplane.systemtest;

import com.fasterxml.jackson.databind.JsonNode;
import io.dataplane.demo.GraphQLClient;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A user's GraphQL session with the gateway that keeps every answer it received (responses and
 * subscription payloads), so a test can search all of them, and signs in again at Keycloak before
 * the access token gets old.
 */
final class RecordedGraphQL {

  private static final Duration TOKEN_AGE = Duration.ofSeconds(60);

  final String user;
  private final Platform platform;
  private final List<JsonNode> answers = new CopyOnWriteArrayList<>();
  private GraphQLClient client;
  private Instant signedInAt = Instant.EPOCH;

  RecordedGraphQL(Platform platform, String user) {
    this.platform = platform;
    this.user = user;
  }

  synchronized GraphQLClient client() throws IOException, InterruptedException {
    if (client == null || Instant.now().isAfter(signedInAt.plus(TOKEN_AGE))) {
      client = platform.graphql(user);
      signedInAt = Instant.now();
    }
    return client;
  }

  /** The whole answer ({@code data} and {@code errors}). */
  JsonNode raw(String query, Map<String, Object> variables)
      throws IOException, InterruptedException {
    JsonNode r = client().executeRaw(query, variables);
    answers.add(r);
    return r;
  }

  /** {@code data} of an answer without errors; fails the test otherwise. */
  JsonNode data(String query, Map<String, Object> variables)
      throws IOException, InterruptedException {
    JsonNode r = raw(query, variables);
    if (r.path("errors").size() > 0) {
      throw new AssertionError(user + ": " + query + " answered " + r.path("errors"));
    }
    return r.path("data");
  }

  /** A subscription whose every payload is kept too. */
  GraphQLClient.Subscription subscribe(
      String query, Map<String, Object> variables, Consumer<JsonNode> onData)
      throws IOException, InterruptedException {
    return client()
        .subscribe(
            query,
            variables,
            d -> {
              answers.add(d);
              onData.accept(d);
            });
  }

  /** Every answer so far. */
  List<JsonNode> answers() {
    return List.copyOf(answers);
  }
}
