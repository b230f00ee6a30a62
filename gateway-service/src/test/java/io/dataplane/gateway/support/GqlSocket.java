package io.dataplane.gateway.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dataplane.common.json.Json;
import io.restassured.RestAssured;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A GraphQL subscription over WebSocket (graphql-transport-ws), signed in with a bearer token. */
public final class GqlSocket implements AutoCloseable {

  private final ObjectMapper json = Json.mapper();
  private final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
  private final WebSocket socket;

  private GqlSocket(String authorization) throws Exception {
    URI uri = URI.create("ws://127.0.0.1:" + RestAssured.port + "/graphql");
    WebSocket.Listener listener =
        new WebSocket.Listener() {
          private final StringBuilder partial = new StringBuilder();

          @Override
          public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
              try {
                messages.add(json.readTree(partial.toString()));
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
              partial.setLength(0);
            }
            ws.request(1);
            return null;
          }
        };
    socket =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .header("Authorization", authorization)
            .subprotocols("graphql-transport-ws")
            .connectTimeout(Duration.ofSeconds(5))
            .buildAsync(uri, listener)
            .get(10, TimeUnit.SECONDS);
    send(Map.of("type", "connection_init", "payload", Map.of()));
    JsonNode ack = next(10);
    if (ack == null || !"connection_ack".equals(ack.path("type").asText())) {
      throw new IllegalStateException("no connection_ack: " + ack);
    }
  }

  /** Signed in with this Authorization header value ({@code Bearer ...} or {@code ApiKey ...}). */
  public static GqlSocket withAuthorization(String authorization) throws Exception {
    return new GqlSocket(authorization);
  }

  public static GqlSocket as(String user) throws Exception {
    return new GqlSocket("Bearer " + Tokens.of(user));
  }

  public void subscribe(String id, String query) throws Exception {
    send(Map.of("id", id, "type", "subscribe", "payload", Map.of("query", query)));
  }

  /** The next message (next, error, complete, ping...), or null after the timeout. */
  public JsonNode next(int seconds) throws InterruptedException {
    while (true) {
      JsonNode m = messages.poll(seconds, TimeUnit.SECONDS);
      if (m == null || !"ping".equals(m.path("type").asText())) {
        return m;
      }
      send(Map.of("type", "pong"));
    }
  }

  private void send(Object message) {
    try {
      socket.sendText(json.writeValueAsString(message), true).get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
  }
}
