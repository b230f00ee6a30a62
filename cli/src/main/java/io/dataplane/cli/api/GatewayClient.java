package io.dataplane.cli.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * The gateway's public API and nothing else: GraphQL queries and mutations at {@code /graphql},
 * subscriptions over WebSocket ({@code graphql-transport-ws}), and the REST file endpoints {@code
 * /api/files/{env}/{pipeline}/{path}} for binary code files.
 */
public final class GatewayClient {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();
  private final URI server;
  private final Auth auth;

  public GatewayClient(URI server, Auth auth) {
    String s = server.toString();
    this.server = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
    this.auth = auth;
  }

  public URI server() {
    return server;
  }

  /** Runs a query or mutation; returns {@code data}, or throws with the first error's code. */
  public JsonNode graphql(String query, Map<String, ?> variables) throws IOException {
    ObjectNode req = JSON.createObjectNode();
    req.put("query", query);
    req.set("variables", JSON.valueToTree(variables == null ? Map.of() : variables));
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(server + "/graphql"))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(req)));
    auth.sign(b);
    HttpResponse<String> r = send(b.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode body;
    try {
      body = JSON.readTree(r.body());
    } catch (IOException e) {
      throw new ApiException("HTTP_" + r.statusCode(), httpMessage(r.statusCode(), r.body()), null);
    }
    JsonNode errors = body.path("errors");
    if (errors.isArray() && !errors.isEmpty()) {
      JsonNode first = errors.get(0);
      String code = first.path("extensions").path("code").asText("ERROR");
      StringBuilder msg = new StringBuilder(first.path("message").asText());
      JsonNode details = first.path("extensions").path("details");
      if (details.isArray() && !details.isEmpty()) {
        for (JsonNode d : details) {
          msg.append("\n  ")
              .append(d.path("path").asText())
              .append(": ")
              .append(d.path("message").asText());
        }
      }
      throw new ApiException(code, msg.toString(), errors);
    }
    if (r.statusCode() != 200) {
      throw new ApiException("HTTP_" + r.statusCode(), httpMessage(r.statusCode(), r.body()), null);
    }
    return body.path("data");
  }

  private static String httpMessage(int status, String body) {
    return switch (status) {
      case 401 ->
          "not signed in (HTTP 401): set DATAPLANE_API_KEY or DATAPLANE_TOKEN, or run dataplane login";
      case 403 -> "forbidden (HTTP 403)";
      default -> "HTTP " + status + (body == null || body.isBlank() ? "" : ": " + abbreviate(body));
    };
  }

  private static String abbreviate(String s) {
    return s.length() > 300 ? s.substring(0, 300) + "…" : s;
  }

  /** Uploads a code file (any bytes) through the REST file endpoint. */
  public void putFile(String env, String pipeline, String path, byte[] content) throws IOException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(fileUri(env, pipeline, path))
            .timeout(Duration.ofMinutes(2))
            .header("Content-Type", "application/octet-stream")
            .PUT(HttpRequest.BodyPublishers.ofByteArray(content));
    auth.sign(b);
    HttpResponse<String> r = send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      throw new ApiException(
          "HTTP_" + r.statusCode(),
          "upload of " + pipeline + "/" + path + ": " + httpMessage(r.statusCode(), r.body()),
          null);
    }
  }

  /** Downloads a code file through the REST file endpoint. */
  public byte[] getFile(String env, String pipeline, String path) throws IOException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(fileUri(env, pipeline, path)).timeout(Duration.ofMinutes(2)).GET();
    auth.sign(b);
    HttpResponse<byte[]> r = send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 200) {
      throw new ApiException(
          "HTTP_" + r.statusCode(),
          "download of " + pipeline + "/" + path + ": HTTP " + r.statusCode(),
          null);
    }
    return r.body();
  }

  private URI fileUri(String env, String pipeline, String path) {
    StringBuilder p = new StringBuilder();
    for (String seg : path.split("/")) {
      p.append('/').append(URLEncoder.encode(seg, StandardCharsets.UTF_8).replace("+", "%20"));
    }
    return URI.create(
        server
            + "/api/files/"
            + URLEncoder.encode(env, StandardCharsets.UTF_8)
            + "/"
            + URLEncoder.encode(pipeline, StandardCharsets.UTF_8)
            + p);
  }

  private <T> HttpResponse<T> send(HttpRequest req, HttpResponse.BodyHandler<T> handler)
      throws IOException {
    try {
      return http.send(req, handler);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (java.net.ConnectException e) {
      throw new IOException("cannot reach the gateway at " + server + " (" + e + ")", e);
    }
  }

  /**
   * Subscribes; every {@code next} payload's {@code data} goes to {@code onData}. The returned
   * subscription completes when the server completes it, or fails on an error.
   */
  public Subscription subscribe(String query, Map<String, ?> variables, Consumer<JsonNode> onData) {
    URI ws = URI.create(server.toString().replaceFirst("^http", "ws") + "/graphql");
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
                  if (payload.path("errors").isArray() && !payload.path("errors").isEmpty()) {
                    JsonNode e = payload.path("errors").get(0);
                    sub.done.completeExceptionally(
                        new ApiException(
                            e.path("extensions").path("code").asText("ERROR"),
                            e.path("message").asText(),
                            payload.path("errors")));
                  } else {
                    onData.accept(payload.path("data"));
                  }
                }
                case "error" ->
                    sub.done.completeExceptionally(
                        new ApiException("ERROR", msg.path("payload").toString(), msg));
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
    WebSocket.Builder b =
        http.newWebSocketBuilder()
            .subprotocols("graphql-transport-ws")
            .connectTimeout(Duration.ofSeconds(10));
    HttpRequest.Builder headers = HttpRequest.newBuilder(URI.create(server + "/graphql"));
    auth.sign(headers);
    headers.build().headers().map().forEach((k, vs) -> vs.forEach(v -> b.header(k, v)));
    sub.socket = b.buildAsync(ws, listener);
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
}
