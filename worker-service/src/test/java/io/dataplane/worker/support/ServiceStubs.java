package io.dataplane.worker.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.dataplane.common.json.Json;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Stands in for orchestrator-service (claims), secrets-service (resolve) and filestore-service
 * (bundles) with a JDK HTTP server, and gives the worker a test-only group and id.
 */
public class ServiceStubs implements QuarkusTestResourceLifecycleManager {

  public static final String TOKEN = "test-service-token-0123456789";
  public static final String SUFFIX = UUID.randomUUID().toString().substring(0, 8);
  public static final String GROUP = "wt-" + SUFFIX;
  public static final String ENVIRONMENT = "dev";
  public static final String WORKER_ID = "worker-test-" + SUFFIX;

  /** taskRunId:attempt claimed so far. */
  public static final Set<String> CLAIMED = ConcurrentHashMap.newKeySet();

  /** Every claim request seen, in order. */
  public static final List<String> CLAIM_REQUESTS = new CopyOnWriteArrayList<>();

  /** taskRunIds whose claims are refused (409). */
  public static final Set<UUID> REFUSE = ConcurrentHashMap.newKeySet();

  /** taskRunId → how many more claims answer 503 (orchestrator unavailable). */
  public static final Map<UUID, java.util.concurrent.atomic.AtomicInteger> UNAVAILABLE =
      new ConcurrentHashMap<>();

  /**
   * taskRunId → how many claims, from the first that is committed on, answer 503 (the orchestrator
   * stopped before it could answer, and stays away that many tries).
   */
  public static final Map<UUID, java.util.concurrent.atomic.AtomicInteger> LOSE_ANSWER =
      new ConcurrentHashMap<>();

  /** taskRunId:attempt → the claim id it was claimed with. */
  private static final Map<String, String> CLAIM_IDS = new ConcurrentHashMap<>();

  /** attempt token → the secret values secrets-service would return for it. */
  public static final Map<String, Map<String, String>> SECRETS = new ConcurrentHashMap<>();

  /** "environment [names] by actor" of every resolve call. */
  public static final List<String> RESOLVE_REQUESTS = new CopyOnWriteArrayList<>();

  /** digest → archive bytes. */
  public static final Map<String, byte[]> BUNDLES = new ConcurrentHashMap<>();

  /** Requests that came without the service token. */
  public static final List<String> UNAUTHENTICATED = new CopyOnWriteArrayList<>();

  private HttpServer server;
  private Path tmp;

  @Override
  public Map<String, String> start() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    server.createContext("/api/v1/attempts/claim", this::claim);
    server.createContext("/api/v1/resolve", this::resolve);
    server.createContext("/api/v1/bundles/", this::bundle);
    server.start();
    String base = "http://127.0.0.1:" + server.getAddress().getPort();
    try {
      tmp = Files.createTempDirectory("dp-worker-test-");
      Files.setPosixFilePermissions(
          tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return Map.of(
        "dataplane.worker.orchestrator-url", base,
        "dataplane.worker.secrets-url", base,
        "dataplane.worker.filestore-url", base,
        "dataplane.worker.groups", ENVIRONMENT + "/" + GROUP,
        "dataplane.worker.instance-id", WORKER_ID,
        "dataplane.worker.work-dir", tmp.resolve("work").toString(),
        "dataplane.worker.cache.dir", tmp.resolve("bundles").toString());
  }

  @Override
  public void stop() {
    if (server != null) {
      server.stop(0);
    }
    deleteTree(tmp);
  }

  /** Removes a directory tree, read-only bundle directories included. */
  public static void deleteTree(Path root) {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (java.util.stream.Stream<Path> paths = Files.walk(root)) {
      paths
          .sorted(java.util.Comparator.reverseOrder())
          .forEach(
              p -> {
                if (p.getParent() != null) {
                  p.getParent().toFile().setWritable(true);
                }
                p.toFile().delete();
              });
    } catch (IOException e) {
      // best effort
    }
  }

  private static boolean authorized(HttpExchange ex) throws IOException {
    if (!("Bearer " + TOKEN).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
      UNAUTHENTICATED.add(ex.getRequestURI().getPath());
      respond(ex, 401, Map.of("code", "UNAUTHENTICATED", "message", "no token"));
      return false;
    }
    return true;
  }

  private void claim(HttpExchange ex) throws IOException {
    if (!authorized(ex)) {
      return;
    }
    JsonNode body = Json.mapper().readTree(ex.getRequestBody());
    UUID taskRunId = UUID.fromString(body.path("taskRunId").asText());
    String key = taskRunId + ":" + body.path("attempt").asInt();
    CLAIM_REQUESTS.add(key + "@" + body.path("workerId").asText());
    java.util.concurrent.atomic.AtomicInteger failures = UNAVAILABLE.get(taskRunId);
    if (failures != null && failures.getAndDecrement() > 0) {
      respond(ex, 503, Map.of("code", "UNAVAILABLE", "message", "try again"));
      return;
    }
    String claimId = body.path("claimId").asText(null);
    java.util.concurrent.atomic.AtomicInteger lost = LOSE_ANSWER.get(taskRunId);
    if (lost != null && CLAIMED.contains(key) && lost.getAndDecrement() > 0) {
      respond(ex, 503, Map.of("code", "UNAVAILABLE", "message", "still restarting"));
      return;
    }
    if (claimId != null && claimId.equals(CLAIM_IDS.get(key))) {
      respond(ex, 200, Map.of("claimed", true)); // the same claim asked again
      return;
    }
    if (REFUSE.contains(taskRunId) || !CLAIMED.add(key)) {
      respond(ex, 409, Map.of("code", "CONFLICT", "message", "attempt already claimed"));
      return;
    }
    if (claimId != null) {
      CLAIM_IDS.put(key, claimId);
    }
    if (lost != null && lost.getAndDecrement() > 0) {
      respond(ex, 503, Map.of("code", "UNAVAILABLE", "message", "stopped before answering"));
      return;
    }
    respond(ex, 200, Map.of("claimed", true));
  }

  private void resolve(HttpExchange ex) throws IOException {
    if (!authorized(ex)) {
      return;
    }
    JsonNode body = Json.mapper().readTree(ex.getRequestBody());
    Map<String, String> values = SECRETS.get(body.path("attemptToken").asText());
    RESOLVE_REQUESTS.add(
        body.path("environment").asText()
            + " "
            + body.path("names")
            + " by worker:"
            + ex.getRequestHeaders().getFirst("X-Dataplane-Worker")
            + (ex.getRequestHeaders().containsKey("X-Dataplane-Actor") ? " (names an actor)" : ""));
    if (values == null) {
      respond(ex, 403, Map.of("code", "FORBIDDEN", "message", "attempt token rejected: expired"));
      return;
    }
    respond(ex, 200, Map.of("values", values, "versions", Map.of()));
  }

  private void bundle(HttpExchange ex) throws IOException {
    if (!authorized(ex)) {
      return;
    }
    String digest = ex.getRequestURI().getPath().substring("/api/v1/bundles/".length());
    byte[] bytes = BUNDLES.get(digest);
    if (bytes == null) {
      respond(ex, 404, Map.of("code", "NOT_FOUND", "message", "no bundle " + digest));
      return;
    }
    ex.getResponseHeaders().add("Content-Type", "application/gzip");
    ex.sendResponseHeaders(200, bytes.length);
    ex.getResponseBody().write(bytes);
    ex.close();
  }

  private static void respond(HttpExchange ex, int status, Object body) throws IOException {
    byte[] bytes = Json.mapper().writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
    ex.close();
  }
}
