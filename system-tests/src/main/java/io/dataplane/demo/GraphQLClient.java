package io.dataplane.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dataplane.common.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * A small GraphQL client for the gateway: queries and mutations over HTTP, subscriptions over
 * WebSocket ({@code graphql-transport-ws}), signed in with an OIDC access token.
 */
public final class GraphQLClient {

  private static final ObjectMapper JSON = Json.mapper();

  private final HttpClient http =
      HttpClient.newBuilder()
          // plain HTTP/1.1: no h2c upgrade dance with the server
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final URI endpoint;
  private final String token;

  public GraphQLClient(URI endpoint, String token) {
    this.endpoint = endpoint;
    this.token = token;
  }

  /** An access token from the OIDC provider's token endpoint (password grant). */
  /** The subject ({@code sub}) of an access token: what the gateway binds and makes admin. */
  public static String subjectOf(String accessToken) throws IOException {
    String[] parts = accessToken.split("\\.");
    if (parts.length < 2) {
      throw new IOException("not a JWT");
    }
    byte[] payload = java.util.Base64.getUrlDecoder().decode(parts[1]);
    return JSON.readTree(payload).path("sub").asText();
  }

  public static String passwordGrant(
      String tokenEndpoint, String clientId, String user, String password)
      throws IOException, InterruptedException {
    String form =
        "grant_type=password&client_id="
            + enc(clientId)
            + "&username="
            + enc(user)
            + "&password="
            + enc(password);
    HttpResponse<String> r =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .build()
            .send(
                HttpRequest.newBuilder(URI.create(tokenEndpoint))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("sign-in failed: HTTP " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body()).path("access_token").asText();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** Runs a query or mutation; returns {@code data}, or throws with the errors. */
  public JsonNode execute(String query, Map<String, Object> variables)
      throws IOException, InterruptedException {
    JsonNode body = executeRaw(query, variables);
    if (body.hasNonNull("errors") && body.get("errors").size() > 0) {
      throw new GraphQLException(body.get("errors"));
    }
    return body.path("data");
  }

  /** Runs a query or mutation and returns the whole response ({@code data} and {@code errors}). */
  public JsonNode executeRaw(String query, Map<String, Object> variables)
      throws IOException, InterruptedException {
    return executeRaw(query, variables, Map.of());
  }

  /** Like {@link #executeRaw(String, Map)}, with extra HTTP headers (e.g. {@code traceparent}). */
  public JsonNode executeRaw(
      String query, Map<String, Object> variables, Map<String, String> headers)
      throws IOException, InterruptedException {
    ObjectNode req = JSON.createObjectNode();
    req.put("query", query);
    req.set("variables", JSON.valueToTree(variables == null ? Map.of() : variables));
    HttpRequest.Builder b =
        HttpRequest.newBuilder(endpoint)
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json");
    headers.forEach(b::header);
    HttpResponse<String> r =
        http.send(
            b.POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(req))).build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("GraphQL call failed: HTTP " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body());
  }

  /**
   * Subscribes; every {@code next} payload's {@code data} goes to {@code onData}. The returned
   * subscription completes when the server completes it, or fails on an error.
   */
  public Subscription subscribe(
      String query, Map<String, Object> variables, Consumer<JsonNode> onData) {
    URI ws = URI.create(endpoint.toString().replaceFirst("^http", "ws"));
    Subscription sub = new Subscription();
    String id = UUID.randomUUID().toString();
    WebSocket.Listener listener =
        new WebSocket.Listener() {
          private final StringBuilder buf = new StringBuilder();

          @Override
          public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
            send(webSocket, Map.of("type", "connection_init", "payload", Map.of()));
          }

          @Override
          public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            buf.append(data);
            if (last) {
              String text = buf.toString();
              buf.setLength(0);
              handle(webSocket, text);
            }
            webSocket.request(1);
            return null;
          }

          private void handle(WebSocket webSocket, String text) {
            try {
              JsonNode msg = JSON.readTree(text);
              switch (msg.path("type").asText()) {
                case "connection_ack" ->
                    send(
                        webSocket,
                        Map.of(
                            "id",
                            id,
                            "type",
                            "subscribe",
                            "payload",
                            Map.of(
                                "query",
                                query,
                                "variables",
                                variables == null ? Map.of() : variables)));
                case "next" -> {
                  JsonNode payload = msg.path("payload");
                  if (payload.hasNonNull("errors") && payload.get("errors").size() > 0) {
                    sub.done.completeExceptionally(new GraphQLException(payload.get("errors")));
                  } else {
                    onData.accept(payload.path("data"));
                  }
                }
                case "error" ->
                    sub.done.completeExceptionally(new GraphQLException(msg.path("payload")));
                case "complete" -> sub.done.complete(null);
                case "ping" -> send(webSocket, Map.of("type", "pong"));
                default -> {}
              }
            } catch (Exception e) {
              sub.done.completeExceptionally(e);
            }
          }

          @Override
          public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            sub.done.complete(null);
            return null;
          }

          @Override
          public void onError(WebSocket webSocket, Throwable error) {
            sub.done.completeExceptionally(error);
          }
        };
    sub.socket =
        http.newWebSocketBuilder()
            .header("Authorization", "Bearer " + token)
            .subprotocols("graphql-transport-ws")
            .connectTimeout(Duration.ofSeconds(10))
            .buildAsync(ws, listener);
    sub.socket.exceptionally(
        e -> {
          sub.done.completeExceptionally(e);
          return null;
        });
    return sub;
  }

  private static void send(WebSocket ws, Map<String, Object> msg) {
    try {
      ws.sendText(JSON.writeValueAsString(msg), true);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A live subscription. */
  public static final class Subscription implements AutoCloseable {
    final CompletableFuture<Void> done = new CompletableFuture<>();
    CompletableFuture<WebSocket> socket;

    /** Completes when the server ends the subscription. */
    public CompletableFuture<Void> done() {
      return done;
    }

    @Override
    public void close() {
      if (socket != null) {
        socket.thenAccept(ws -> ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye"));
      }
    }
  }

  /** The server answered with GraphQL errors. */
  public static final class GraphQLException extends IOException {
    private final JsonNode errors;

    public GraphQLException(JsonNode errors) {
      super("GraphQL errors: " + errors);
      this.errors = errors;
    }

    public JsonNode errors() {
      return errors;
    }
  }
}
