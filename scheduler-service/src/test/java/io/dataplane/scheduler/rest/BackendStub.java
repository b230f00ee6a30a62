package io.dataplane.scheduler.rest;

import com.sun.net.httpserver.HttpServer;
import io.dataplane.common.json.Json;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stands in for orchestrator-service (environments exist; runs registered by the test) and for
 * secrets-service's HMAC check (environment secret {@code HOOK_KEY} = {@link #HOOK_KEY}); what the
 * notification secrets ({@link #NOTIFY_SECRETS}: signing and values); what the trigger and
 * notification tests are about runs for real (PostgreSQL, Kafka, the scheduler).
 */
public class BackendStub implements QuarkusTestResourceLifecycleManager {

  public static final String HOOK_KEY = "hook-signing-key-0123456789";
  public static final Map<String, Map<String, Object>> RUNS = new ConcurrentHashMap<>();

  /** Notification secrets (NOTIFY_*) by name, in every environment: signing keys and values. */
  public static final Map<String, String> NOTIFY_SECRETS = new ConcurrentHashMap<>();

  private HttpServer server;

  @Override
  public Map<String, String> start() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    server.createContext(
        "/api/v1/environments/",
        ex -> {
          String path = ex.getRequestURI().getPath();
          byte[] out = "{}".getBytes(StandardCharsets.UTF_8);
          int status = 200;
          if (path.endsWith("/hmac-sha256/verify")) {
            Map<?, ?> req = Json.mapper().readValue(ex.getRequestBody().readAllBytes(), Map.class);
            boolean valid = false;
            if (path.contains("/secrets/HOOK_KEY/")) {
              try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(
                    new SecretKeySpec(HOOK_KEY.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
                byte[] expected =
                    mac.doFinal(Base64.getDecoder().decode((String) req.get("payload")));
                valid =
                    MessageDigest.isEqual(
                        expected, HexFormat.of().parseHex((String) req.get("signature")));
              } catch (Exception e) {
                valid = false;
              }
            } else {
              status = 404;
            }
            out = Json.mapper().writeValueAsBytes(Map.of("valid", valid));
          } else if (path.endsWith("/hmac-sha256/sign") || path.endsWith("/notification-value")) {
            // like secrets-service: NOTIFY_* only, 404 for an unknown secret
            String name = path.split("/")[6];
            Map<?, ?> req = Json.mapper().readValue(ex.getRequestBody().readAllBytes(), Map.class);
            String value = NOTIFY_SECRETS.get(name);
            if (!name.startsWith("NOTIFY_")) {
              status = 400;
            } else if (value == null) {
              status = 404;
            } else if (path.endsWith("/notification-value")) {
              out = Json.mapper().writeValueAsBytes(Map.of("value", value));
            } else {
              try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(value.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
                byte[] sig = mac.doFinal(Base64.getDecoder().decode((String) req.get("payload")));
                out =
                    Json.mapper()
                        .writeValueAsBytes(Map.of("signature", HexFormat.of().formatHex(sig)));
              } catch (Exception e) {
                throw new IOException(e);
              }
            }
          }
          ex.sendResponseHeaders(status, out.length);
          ex.getResponseBody().write(out);
          ex.close();
        });
    server.createContext(
        "/api/v1/runs/",
        ex -> {
          String id = ex.getRequestURI().getPath().substring("/api/v1/runs/".length());
          Map<String, Object> run = RUNS.get(id);
          byte[] out = Json.mapper().writeValueAsBytes(run == null ? Map.of() : run);
          ex.sendResponseHeaders(run == null ? 404 : 200, out.length);
          ex.getResponseBody().write(out);
          ex.close();
        });
    server.start();
    String url = "http://127.0.0.1:" + server.getAddress().getPort();
    return Map.of(
        "dataplane.scheduler.orchestrator-url", url, "dataplane.scheduler.secrets-url", url);
  }

  @Override
  public void stop() {
    if (server != null) {
      server.stop(0);
    }
  }
}
