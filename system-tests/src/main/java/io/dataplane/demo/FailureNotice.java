package io.dataplane.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The demo's second part: a pipeline that fails on purpose, and the failure notification it causes
 * arriving at a receiver the demo runs on this machine: a signed generic webhook
 * (docs/notifications.md), whose signature the receiver checks with the key it shares through the
 * secrets service.
 *
 * <p>The scheduler sends only to hosts it may reach: locally {@code dev/services} allows 127.0.0.1
 * ({@code dataplane.scheduler.notifications.allowed-hosts}).
 */
public final class FailureNotice {

  public static final String PIPELINE = "demo-fails";
  public static final String KEY_SECRET = "NOTIFY_DEMO_WEBHOOK";
  static final String CHANNEL = "demo-receiver";
  static final String RULE = "demo-failures";

  /** What arrived at the receiver. */
  public record Notice(String runId, String event, String title, String link, boolean signed) {}

  private FailureNotice() {}

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Sets up the channel and rule, runs the failing pipeline, waits for its notification. */
  public static Notice show(
      GraphQLClient gql,
      String environment,
      String workerGroup,
      Duration timeout,
      Consumer<String> out)
      throws Exception {
    String key = HexFormat.of().formatHex(new SecureRandom().generateSeed(24));
    CompletableFuture<Map.Entry<byte[], String>> arrived = new CompletableFuture<>();
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/hook",
        x -> {
          byte[] body = x.getRequestBody().readAllBytes();
          arrived.complete(
              Map.entry(
                  body,
                  String.valueOf(x.getRequestHeaders().getFirst("X-Dataplane-Signature-256"))));
          x.sendResponseHeaders(204, -1);
          x.close();
        });
    server.start();
    try {
      String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
      gql.execute(
          "mutation($e: String!, $n: String!, $v: String!) { setSecret(environment: $e, name: $n, value: $v) { name } }",
          Map.of("e", environment, "n", KEY_SECRET, "v", key));
      String channelId = upsertChannel(gql, environment, url);
      upsertRule(gql, environment, channelId);
      out.accept("");
      out.accept(
          "Notifications: a receiver listens at "
              + url
              + "; rule "
              + RULE
              + " sends RUN_FAILED of "
              + PIPELINE
              + " to it, signed with secret "
              + KEY_SECRET);
      gql.execute(
          "mutation($e: String!, $p: String!, $d: String!) { savePipeline(environment: $e, name: $p, definition: $d) { name } }",
          Map.of(
              "e",
              environment,
              "p",
              PIPELINE,
              "d",
              "description: fails on purpose, to show a failure notification\n"
                  + "workerGroup: "
                  + workerGroup
                  + "\ntasks:\n"
                  + "  - {key: check, runtime: bash, script: 'echo \"disk full on /data\" >&2; exit 3'}\n"));
      gql.execute(
          "mutation($e: String!, $p: String!) { releasePipeline(environment: $e, pipeline: $p, bundle: false) { id } }",
          Map.of("e", environment, "p", PIPELINE));
      String runId =
          gql.execute(
                  "mutation($e: String!, $p: String!) { startRun(environment: $e, pipeline: $p) { id } }",
                  Map.of("e", environment, "p", PIPELINE))
              .path("startRun")
              .path("id")
              .asText();
      out.accept("Run " + runId + " of " + PIPELINE + " started; waiting for its notification");
      Map.Entry<byte[], String> got;
      try {
        got = arrived.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        out.accept("No notification arrived within " + timeout + " (see notificationDeliveries)");
        return new Notice(runId, null, null, null, false);
      }
      JsonNode body = JSON.readTree(got.getKey());
      boolean signed = verify(key, got.getKey(), got.getValue());
      out.accept(
          "Notification received: "
              + body.path("title").asText()
              + (signed ? " (signature verified)" : " (BAD SIGNATURE)"));
      out.accept("  error: " + body.path("error").asText());
      out.accept("  link:  " + body.path("link").asText());
      return new Notice(
          body.path("runId").asText(),
          body.path("event").asText(),
          body.path("title").asText(),
          body.path("link").asText(),
          signed);
    } finally {
      server.stop(0);
    }
  }

  private static String upsertChannel(GraphQLClient gql, String env, String url) throws Exception {
    Map<String, Object> input =
        Map.of("name", CHANNEL, "kind", "WEBHOOK", "url", url, "secretName", KEY_SECRET);
    for (JsonNode c :
        gql.execute(
                "query($e: String!) { notificationChannels(environment: $e) { id name } }",
                Map.of("e", env))
            .path("notificationChannels")) {
      if (CHANNEL.equals(c.path("name").asText())) {
        // a demo run before this one: point its channel at this receiver
        gql.execute(
            "mutation($e: String!, $id: String!, $i: NotificationChannelInput!) { updateNotificationChannel(environment: $e, id: $id, input: $i) { id } }",
            Map.of("e", env, "id", c.path("id").asText(), "i", input));
        return c.path("id").asText();
      }
    }
    return gql.execute(
            "mutation($e: String!, $i: NotificationChannelInput!) { createNotificationChannel(environment: $e, input: $i) { id } }",
            Map.of("e", env, "i", input))
        .path("createNotificationChannel")
        .path("id")
        .asText();
  }

  private static void upsertRule(GraphQLClient gql, String env, String channelId) throws Exception {
    Map<String, Object> input =
        Map.of(
            "name",
            RULE,
            "pipeline",
            PIPELINE,
            "events",
            List.of("RUN_FAILED"),
            "channelId",
            channelId,
            "quietPeriodSeconds",
            0);
    for (JsonNode r :
        gql.execute(
                "query($e: String!, $p: String) { notificationRules(environment: $e, pipeline: $p) { id name } }",
                Map.of("e", env, "p", PIPELINE))
            .path("notificationRules")) {
      if (RULE.equals(r.path("name").asText())) {
        gql.execute(
            "mutation($e: String!, $id: String!, $i: NotificationRuleInput!) { updateNotificationRule(environment: $e, id: $id, input: $i) { id } }",
            Map.of("e", env, "id", r.path("id").asText(), "i", input));
        return;
      }
    }
    gql.execute(
        "mutation($e: String!, $i: NotificationRuleInput!) { createNotificationRule(environment: $e, input: $i) { id } }",
        Map.of("e", env, "i", input));
  }

  /** GitHub-style: {@code sha256=<hex HMAC-SHA256 of the raw body>}, compared in constant time. */
  static boolean verify(String key, byte[] body, String header) throws IOException {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] want =
          ("sha256=" + HexFormat.of().formatHex(mac.doFinal(body)))
              .getBytes(StandardCharsets.UTF_8);
      return MessageDigest.isEqual(want, header.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IOException(e);
    }
  }
}
