package io.dataplane.secrets.support;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the tests put around the service: a stand-in for the orchestrator's environment API (a JDK
 * HttpServer: environments whose name starts with {@code unknown} do not exist, every other one
 * does; calls without secrets-service's own service token get 401; an attempt is current unless its
 * {@code taskRunId/attempt} is in {@link #NOT_CURRENT}) and an empty master key directory the
 * rotation test writes into.
 */
public class TestStack implements QuarkusTestResourceLifecycleManager {

  /** The gateway's token (the tests call as the gateway unless they say otherwise). */
  public static final String SERVICE_TOKEN = "test-service-token-0123456789";

  /** The gateway's next token: accepted alongside the old one while rotating. */
  public static final String GATEWAY_NEXT_TOKEN = "test-gateway-token-next-0123456789";

  /** A worker's token: resolve only. */
  public static final String WORKER_TOKEN = "test-worker-token-0123456789";

  /** The orchestrator's token: secret names only. */
  public static final String ORCHESTRATOR_TOKEN = "test-orchestrator-token-0123456789";

  /** The token secrets-service itself sends to the orchestrator. */
  public static final String OWN_TOKEN = "test-secrets-token-0123456789";

  /** Attempts ({@code taskRunId/attempt}) the stand-in says are not current. */
  public static final java.util.Set<String> NOT_CURRENT = ConcurrentHashMap.newKeySet();

  /** Attempt checks the stand-in answered. */
  public static final AtomicInteger ATTEMPT_CHECKS = new AtomicInteger();

  /** Environment checks the stand-in answered, by environment. */
  public static final Map<String, AtomicInteger> ENVIRONMENT_CHECKS = new ConcurrentHashMap<>();

  /** Checks that came without the service token. */
  public static final AtomicInteger UNAUTHENTICATED_CHECKS = new AtomicInteger();

  public static volatile Path keyDir;

  private HttpServer server;

  @Override
  public Map<String, String> start() {
    try {
      keyDir = Files.createTempDirectory("secrets-test-master-keys");
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    server.createContext(
        "/api/v1/attempts/",
        exchange -> {
          // /api/v1/attempts/{taskRunId}/{attempt}/current
          String[] parts = exchange.getRequestURI().getPath().split("/");
          int status = 200;
          String body;
          if (!("Bearer " + OWN_TOKEN)
              .equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            UNAUTHENTICATED_CHECKS.incrementAndGet();
            status = 401;
            body = "{\"code\":\"UNAUTHENTICATED\"}";
          } else {
            ATTEMPT_CHECKS.incrementAndGet();
            boolean current = !NOT_CURRENT.contains(parts[4] + "/" + parts[5]);
            body =
                "{\"taskRunId\":\""
                    + parts[4]
                    + "\",\"attempt\":"
                    + parts[5]
                    + ",\"current\":"
                    + current
                    + "}";
          }
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(status, bytes.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
          }
        });
    String prefix = "/api/v1/environments/";
    server.createContext(
        prefix,
        exchange -> {
          String env = exchange.getRequestURI().getPath().substring(prefix.length());
          int status;
          String body;
          if (!("Bearer " + OWN_TOKEN)
              .equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            UNAUTHENTICATED_CHECKS.incrementAndGet();
            status = 401;
            body = "{\"code\":\"UNAUTHENTICATED\"}";
          } else if (env.startsWith("unknown")) {
            status = 404;
            body = "{\"code\":\"NOT_FOUND\",\"message\":\"environment not found\"}";
          } else {
            ENVIRONMENT_CHECKS.computeIfAbsent(env, k -> new AtomicInteger()).incrementAndGet();
            status = 200;
            body = "{\"name\":\"" + env + "\",\"description\":\"test\"}";
          }
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(status, bytes.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
          }
        });
    server.start();
    return Map.of(
        "dataplane.secrets.orchestrator.url",
        "http://127.0.0.1:" + server.getAddress().getPort(),
        "dataplane.secrets.master-key-dir",
        keyDir.toString());
  }

  @Override
  public void stop() {
    if (server != null) {
      server.stop(0);
    }
  }
}
