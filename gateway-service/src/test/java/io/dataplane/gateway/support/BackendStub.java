package io.dataplane.gateway.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.dataplane.common.json.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stands in for orchestrator, scheduler, secrets and filestore during the gateway's module tests
 * (the real services do not run then): an in-memory version of their REST contract that records
 * every call. It requires the service token, like the real services. Tests steer it over HTTP under
 * {@code /_stub/} (calls, logs, workers, down), which keeps it free of class-loader issues.
 */
public final class BackendStub {

  public static final String SERVICE_TOKEN = "test-service-token-0123456789";

  private final ObjectMapper json = Json.mapper();
  private final HttpServer server;
  private final List<ObjectNode> calls = new CopyOnWriteArrayList<>();
  private final Map<String, ObjectNode> environments = new ConcurrentHashMap<>();
  private final Map<String, ObjectNode> backfills = new ConcurrentHashMap<>();
  private final Map<String, List<ObjectNode>> workerGroups = new ConcurrentHashMap<>();
  private final Map<String, ObjectNode> pipelines = new ConcurrentHashMap<>();
  private final Map<String, ObjectNode> releases = new ConcurrentHashMap<>();
  private final Map<String, ObjectNode> runs = new ConcurrentHashMap<>();
  private final Map<String, ObjectNode> runsByRequest = new ConcurrentHashMap<>();
  private final Map<String, ArrayNode> logs = new ConcurrentHashMap<>();
  private final Map<String, ObjectNode> secrets = new ConcurrentHashMap<>();
  private final Map<String, byte[]> files = new ConcurrentHashMap<>();
  private final Map<String, ObjectNode> schedules = new ConcurrentHashMap<>();
  private final Map<String, ObjectNode> triggers = new ConcurrentHashMap<>();
  private final Map<String, ObjectNode> notificationObjects = new ConcurrentHashMap<>();
  private volatile ArrayNode workers;
  private final Set<String> down = ConcurrentHashMap.newKeySet();

  private BackendStub(HttpServer server) {
    this.server = server;
    this.workers = json.createArrayNode();
  }

  public static BackendStub start() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    BackendStub stub = new BackendStub(server);
    server.createContext("/", stub::handle);
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.start();
    return stub;
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public void stop() {
    server.stop(0);
  }

  private void handle(HttpExchange ex) throws IOException {
    try {
      String method = ex.getRequestMethod();
      String rawPath = ex.getRequestURI().getRawPath();
      String path = URLDecoder.decode(rawPath, StandardCharsets.UTF_8);
      byte[] body = ex.getRequestBody().readAllBytes();
      Map<String, String> query = query(ex.getRequestURI().getRawQuery());
      if (path.startsWith("/_stub/")) {
        control(ex, method, path, body);
        return;
      }
      ObjectNode call = json.createObjectNode();
      call.put("method", method);
      call.put("path", path);
      call.put("authorization", ex.getRequestHeaders().getFirst("Authorization"));
      call.put("actor", ex.getRequestHeaders().getFirst("X-Dataplane-Actor"));
      call.put("contentType", ex.getRequestHeaders().getFirst("Content-Type"));
      call.put("body", new String(body, StandardCharsets.UTF_8));
      calls.add(call);
      if (!("Bearer " + SERVICE_TOKEN).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
        error(ex, 401, "UNAUTHENTICATED", "a service token is required for this call");
        return;
      }
      if (down.contains(serviceOf(path))) {
        error(ex, 503, "UNAVAILABLE", "down for the test");
        return;
      }
      route(ex, method, path, body, query);
    } catch (RuntimeException e) {
      error(ex, 500, "INTERNAL", String.valueOf(e));
    } finally {
      ex.close();
    }
  }

  static String serviceOf(String path) {
    if (path.contains("/secrets") || path.startsWith("/api/v1/audit")) {
      return "secrets";
    }
    if (path.contains("/schedules")
        || path.contains("/triggers")
        || path.contains("/notification-")) {
      return "scheduler";
    }
    if (path.contains("/files") || path.contains("/bundles")) {
      return "filestore";
    }
    return "orchestrator";
  }

  private void control(HttpExchange ex, String method, String path, byte[] body)
      throws IOException {
    Matcher m;
    if (path.equals("/_stub/calls")) {
      send(ex, 200, json.valueToTree(calls));
    } else if ((m = match("/_stub/down/([a-z]+)", path)) != null) {
      if (method.equals("DELETE")) {
        down.remove(m.group(1));
      } else {
        down.add(m.group(1));
      }
      send(ex, 204, null);
    } else if ((m = match("/_stub/logs/([^/]+)", path)) != null) {
      logs.put(m.group(1), (ArrayNode) json.readTree(body));
      send(ex, 204, null);
    } else if (path.equals("/_stub/workers")) {
      workers = (ArrayNode) json.readTree(body);
      send(ex, 204, null);
    } else if (path.equals("/_stub/runs")) {
      // a run created outside the gateway (e.g. by a schedule)
      ObjectNode run = (ObjectNode) json.readTree(body);
      runs.put(run.get("id").asText(), run);
      send(ex, 201, run);
    } else {
      error(ex, 404, "NOT_FOUND", "no stub control " + path);
    }
  }

  private void route(
      HttpExchange ex, String method, String path, byte[] body, Map<String, String> query)
      throws IOException {
    Matcher m;
    String p = path.startsWith("/api/v1") ? path.substring(7) : path;
    // ---- orchestrator ----
    if (p.equals("/environments") && method.equals("GET")) {
      send(ex, 200, json.valueToTree(new ArrayList<>(environments.values())));
    } else if (p.equals("/environments") && method.equals("POST")) {
      JsonNode in = json.readTree(body);
      String name = in.path("name").asText();
      if (environments.containsKey(name)) {
        error(ex, 409, "CONFLICT", "environment " + name + " exists");
        return;
      }
      ObjectNode env = json.createObjectNode();
      env.put("name", name);
      env.put("description", in.path("description").asText(null));
      env.put("createdAt", Instant.now().toString());
      env.put("createdBy", actor(ex));
      environments.put(name, env);
      send(ex, 201, env);
    } else if ((m = match("/environments/([^/]+)", p)) != null && method.equals("PUT")) {
      ObjectNode env = environments.get(m.group(1));
      if (env == null) {
        error(ex, 404, "NOT_FOUND", "environment not found");
      } else {
        env.put("description", json.readTree(body).path("description").asText(null));
        send(ex, 200, env);
      }
    } else if ((m = match("/environments/([^/]+)/worker-groups/([^/]+)", p)) != null) {
      if (!knownEnv(ex, m.group(1))) {
        return;
      }
      List<ObjectNode> groups =
          workerGroups.computeIfAbsent(m.group(1), k -> new CopyOnWriteArrayList<>());
      String name = m.group(2);
      ObjectNode g =
          groups.stream()
              .filter(x -> name.equals(x.path("name").asText()))
              .findFirst()
              .orElse(null);
      if (g == null) {
        error(ex, 404, "NOT_FOUND", "worker group not found");
      } else if (method.equals("DELETE")) {
        groups.remove(g);
        ex.sendResponseHeaders(204, -1);
        ex.close();
      } else {
        g.put("description", json.readTree(body).path("description").asText(null));
        send(ex, 200, g);
      }
    } else if ((m = match("/environments/([^/]+)/pipelines/([^/]+)/deployments", p)) != null) {
      send(ex, 200, json.createArrayNode());
    } else if ((m = match("/environments/([^/]+)/pipelines/([^/]+)/rollback", p)) != null) {
      // rolling back to the current release changes nothing
      ex.sendResponseHeaders(204, -1);
      ex.close();
    } else if ((m = match("/environments/([^/]+)", p)) != null && method.equals("DELETE")) {
      String env = m.group(1);
      if (!knownEnv(ex, env)) {
        return;
      }
      if (pipelines.values().stream().anyMatch(x -> env.equals(x.path("environment").asText()))) {
        error(ex, 409, "CONFLICT", "environment " + env + " still has pipelines");
        return;
      }
      environments.remove(env);
      ex.sendResponseHeaders(204, -1);
      ex.close();
    } else if ((m = match("/environments/([^/]+)", p)) != null && method.equals("GET")) {
      ObjectNode env = environments.get(m.group(1));
      if (env == null) {
        error(ex, 404, "NOT_FOUND", "environment not found");
      } else {
        send(ex, 200, env);
      }
    } else if ((m = match("/environments/([^/]+)/log-retention", p)) != null) {
      if (!knownEnv(ex, m.group(1))) {
        return;
      }
      ObjectNode env = environments.get(m.group(1));
      if (method.equals("PUT")) {
        JsonNode in = json.readTree(body);
        env.set("logRetentionDays", in.path("retentionDays"));
        env.set("logMaxBytesPerRun", in.path("maxBytesPerRun"));
      }
      ObjectNode r = json.createObjectNode();
      r.put("environment", m.group(1));
      JsonNode days = env.path("logRetentionDays");
      JsonNode max = env.path("logMaxBytesPerRun");
      r.set("retentionDays", days.isNumber() ? days : json.nullNode());
      r.set("maxBytesPerRun", max.isNumber() ? max : json.nullNode());
      r.put("effectiveRetentionDays", days.isNumber() ? days.asInt() : 30);
      r.put("effectiveMaxBytesPerRun", max.isNumber() ? max.asLong() : 104857600L);
      send(ex, 200, r);
    } else if ((m = match("/environments/([^/]+)/worker-groups", p)) != null) {
      if (!knownEnv(ex, m.group(1))) {
        return;
      }
      List<ObjectNode> groups =
          workerGroups.computeIfAbsent(m.group(1), k -> new CopyOnWriteArrayList<>());
      if (method.equals("POST")) {
        JsonNode in = json.readTree(body);
        ObjectNode g = json.createObjectNode();
        g.put("name", in.path("name").asText());
        g.put("environment", m.group(1));
        g.put("description", in.path("description").asText(null));
        g.put("createdAt", Instant.now().toString());
        groups.add(g);
        send(ex, 201, g);
      } else {
        send(ex, 200, json.valueToTree(groups));
      }
    } else if ((m = match("/environments/([^/]+)/pipelines/([^/]+)/drafts(/.*)?", p)) != null) {
      // one saved version, "draft-1", per pipeline
      ObjectNode pipe = pipelines.get(m.group(1) + "/" + m.group(2));
      String rest = m.group(3) == null ? "" : m.group(3);
      if (pipe == null) {
        error(ex, 404, "NOT_FOUND", "pipeline not found");
        return;
      }
      ObjectNode v = json.createObjectNode();
      v.put("id", "draft-1");
      v.put("environment", m.group(1));
      v.put("pipeline", m.group(2));
      v.put("version", 1);
      v.put("digest", "sha256:" + "0".repeat(64));
      v.put("savedAt", Instant.now().toString());
      v.put("savedBy", "admin");
      if (rest.isEmpty()) {
        send(ex, 200, json.createArrayNode().add(v));
      } else if (rest.equals("/diff")) {
        ObjectNode d = json.createObjectNode();
        d.put("from", query.get("from"));
        d.put("to", query.get("to"));
        d.putArray("changes");
        send(ex, 200, d);
      } else if (!rest.startsWith("/draft-1")) {
        error(ex, 404, "NOT_FOUND", "draft version not found");
      } else if (rest.endsWith("/restore")) {
        send(ex, 200, pipe);
      } else {
        v.set("definition", pipe.path("definition"));
        v.put("source", pipe.path("definition").path("source").asText());
        send(ex, 200, v);
      }
    } else if ((m = match("/environments/([^/]+)/pipelines", p)) != null) {
      String env = m.group(1);
      // like orchestrator-service: 404 for an environment it does not know
      if (!knownEnv(ex, env)) {
        return;
      }
      List<ObjectNode> list =
          pipelines.values().stream()
              .filter(x -> env.equals(x.path("environment").asText()))
              .toList();
      send(ex, 200, json.valueToTree(list));
    } else if ((m = match("/environments/([^/]+)/pipelines/([^/]+)", p)) != null) {
      String key = m.group(1) + "/" + m.group(2);
      switch (method) {
        case "PUT" -> {
          if (!knownEnv(ex, m.group(1))) {
            return;
          }
          String text = new String(body, StandardCharsets.UTF_8);
          if (text.contains("!!broken")) {
            ObjectNode err = errorBody("INVALID_INPUT", "definition is not valid YAML");
            ArrayNode details = err.putArray("details");
            ObjectNode d = details.addObject();
            d.put("path", "tasks[0]");
            d.put("code", "INVALID_INPUT");
            d.put("message", "bad task");
            send(ex, 400, err);
            return;
          }
          ObjectNode pipe = json.createObjectNode();
          pipe.put("name", m.group(2));
          pipe.put("environment", m.group(1));
          ObjectNode def = pipe.putObject("definition");
          def.put("source", text);
          // like the normalized definition: every task names its worker group
          ArrayNode tasks = def.putArray("tasks");
          workerGroupsIn(text).forEach(g -> tasks.addObject().put("workerGroup", g));
          pipe.put("updatedAt", Instant.now().toString());
          pipe.put("updatedBy", actor(ex));
          pipelines.put(key, pipe);
          send(ex, 200, pipe);
        }
        case "GET" -> {
          ObjectNode pipe = pipelines.get(key);
          if (pipe == null) {
            error(ex, 404, "NOT_FOUND", "pipeline not found");
          } else {
            send(ex, 200, pipe);
          }
        }
        case "DELETE" -> {
          pipelines.remove(key);
          send(ex, 204, null);
        }
        default -> error(ex, 405, "HTTP_405", "method");
      }
    } else if ((m = match("/environments/([^/]+)/pipelines/([^/]+)/validate", p)) != null) {
      if (body.length > 0) {
        // a definition to check before it is saved: the worker groups its tasks run in
        if (!knownEnv(ex, m.group(1))) {
          return;
        }
        ObjectNode out = json.createObjectNode();
        out.put("valid", true);
        out.putArray("errors");
        ArrayNode groups = out.putArray("workerGroups");
        workerGroupsIn(new String(body, StandardCharsets.UTF_8)).forEach(groups::add);
        send(ex, 200, out);
        return;
      }
      ObjectNode pipe = pipelines.get(m.group(1) + "/" + m.group(2));
      if (pipe == null) {
        error(ex, 404, "NOT_FOUND", "pipeline not found");
        return;
      }
      ObjectNode out = json.createObjectNode();
      boolean bad = pipe.path("definition").path("source").asText().contains("cycle");
      out.put("valid", !bad);
      ArrayNode errs = out.putArray("errors");
      if (bad) {
        ObjectNode e = errs.addObject();
        e.put("path", "tasks[1].dependsOn[0]");
        e.put("code", "CYCLE");
        e.put("message", "tasks depend on each other in a cycle");
      }
      send(ex, 200, out);
    } else if ((m = match("/environments/([^/]+)/pipelines/([^/]+)/releases", p)) != null) {
      String env = m.group(1);
      String pipe = m.group(2);
      if (method.equals("POST")) {
        JsonNode in = json.readTree(body);
        ObjectNode r = newRelease(env, pipe, in.path("bundleDigest").asText(null), actor(ex));
        ObjectNode draft = pipelines.get(env + "/" + pipe);
        if (draft != null) {
          r.set("definition", draft.get("definition"));
        }
        send(ex, 201, r);
      } else {
        send(
            ex,
            200,
            json.valueToTree(
                releases.values().stream()
                    .filter(
                        r ->
                            env.equals(r.path("environment").asText())
                                && pipe.equals(r.path("pipeline").asText()))
                    .toList()));
      }
    } else if ((m = match("/releases/([^/]+)", p)) != null) {
      ObjectNode r = releases.get(m.group(1));
      if (r == null) {
        error(ex, 404, "NOT_FOUND", "release not found");
      } else {
        send(ex, 200, r);
      }
    } else if ((m = match("/releases/([^/]+)/diff/([^/]+)", p)) != null) {
      ObjectNode d = json.createObjectNode();
      d.put("from", m.group(1));
      d.put("to", m.group(2));
      d.putArray("changes").addObject().put("path", "tasks[0].script");
      send(ex, 200, d);
    } else if ((m = match("/releases/([^/]+)/promotions", p)) != null) {
      ObjectNode src = releases.get(m.group(1));
      JsonNode in = json.readTree(body);
      if (src == null) {
        error(ex, 404, "NOT_FOUND", "release not found");
        return;
      }
      send(
          ex,
          201,
          newRelease(
              in.path("targetEnvironment").asText(),
              src.path("pipeline").asText(),
              src.path("bundleDigest").asText(null),
              actor(ex)));
    } else if ((m = match("/environments/([^/]+)/pipelines/([^/]+)/runs", p)) != null) {
      JsonNode in = json.readTree(body);
      String requestId = in.path("requestId").asText(null);
      if (requestId != null && runsByRequest.containsKey(requestId)) {
        send(ex, 200, runsByRequest.get(requestId));
        return;
      }
      ObjectNode run = newRun(m.group(1), m.group(2), in, actor(ex));
      if (requestId != null) {
        ObjectNode prior = runsByRequest.putIfAbsent(requestId, run);
        if (prior != null) {
          send(ex, 200, prior);
          return;
        }
      }
      runs.put(run.get("id").asText(), run);
      send(ex, 201, run);
    } else if (p.equals("/runs")) {
      List<ObjectNode> list =
          runs.values().stream()
              .filter(
                  r ->
                      query.get("environment") == null
                          || query.get("environment").equals(r.path("environment").asText()))
              .filter(
                  r ->
                      query.get("pipeline") == null
                          || query.get("pipeline").equals(r.path("pipeline").asText()))
              .filter(
                  r ->
                      query.get("state") == null
                          || query.get("state").equals(r.path("state").asText()))
              .sorted(
                  (a, b) -> b.path("createdAt").asText().compareTo(a.path("createdAt").asText()))
              .toList();
      int limit = Integer.parseInt(query.getOrDefault("limit", "50"));
      int from = Integer.parseInt(query.getOrDefault("cursor", "0"));
      ObjectNode page = json.createObjectNode();
      page.set(
          "items",
          json.valueToTree(
              list.subList(Math.min(from, list.size()), Math.min(from + limit, list.size()))));
      page.put("nextCursor", from + limit < list.size() ? String.valueOf(from + limit) : null);
      send(ex, 200, page);
    } else if ((m = match("/runs/([^/]+)", p)) != null) {
      ObjectNode run = runs.get(m.group(1));
      if (run == null) {
        error(ex, 404, "NOT_FOUND", "run not found");
      } else {
        send(ex, 200, run);
      }
    } else if ((m = match("/runs/([^/]+)/cancel", p)) != null) {
      ObjectNode run = runs.get(m.group(1));
      if (run == null) {
        error(ex, 404, "NOT_FOUND", "run not found");
        return;
      }
      run.put("state", "CANCELLED");
      send(ex, 200, run);
    } else if ((m = match("/runs/([^/]+)/rerun", p)) != null) {
      ObjectNode run = runs.get(m.group(1));
      if (run == null) {
        error(ex, 404, "NOT_FOUND", "run not found");
        return;
      }
      ObjectNode again =
          newRun(run.path("environment").asText(), run.path("pipeline").asText(), run, actor(ex));
      runs.put(again.get("id").asText(), again);
      send(ex, 201, again);
    } else if ((m = match("/task-runs/([^/]+)/logs", p)) != null) {
      ArrayNode all = logs.getOrDefault(m.group(1), json.createArrayNode());
      long after = Long.parseLong(query.getOrDefault("afterSeq", "0"));
      int limit = Integer.parseInt(query.getOrDefault("limit", "500"));
      ObjectNode page = json.createObjectNode();
      ArrayNode lines = page.putArray("lines");
      long last = after;
      for (JsonNode l : all) {
        if (l.path("seq").asLong() > after && lines.size() < limit) {
          lines.add(l);
          last = l.path("seq").asLong();
        }
      }
      page.put("nextSeq", last);
      page.put("complete", false);
      send(ex, 200, page);
    } else if (p.equals("/workers")) {
      String env = query.get("environment");
      String group = query.get("group");
      ArrayNode out = json.createArrayNode();
      for (JsonNode w : workers) {
        boolean in = env == null;
        for (JsonNode g : w.path("groups")) {
          in |=
              group == null
                  ? g.asText().startsWith(env + "/")
                  : g.asText().equals(env + "/" + group);
        }
        if (in) {
          out.add(w);
        }
      }
      send(ex, 200, out);
    }
    // ---- secrets ----
    else if ((m = match("/environments/([^/]+)/secrets", p)) != null) {
      String env = m.group(1);
      send(
          ex,
          200,
          json.valueToTree(
              secrets.values().stream()
                  .filter(s -> env.equals(s.path("environment").asText()))
                  .toList()));
    } else if ((m = match("/environments/([^/]+)/secrets/([^/]+)", p)) != null) {
      String key = m.group(1) + "/" + m.group(2);
      switch (method) {
        case "PUT" -> {
          JsonNode in = json.readTree(body);
          if (in.path("value").asText().isEmpty()) {
            error(ex, 400, "INVALID_INPUT", "value is required");
            return;
          }
          String env = m.group(1);
          String name = m.group(2);
          ObjectNode s =
              secrets.computeIfAbsent(
                  key,
                  k -> {
                    ObjectNode n = json.createObjectNode();
                    n.put("name", name);
                    n.put("environment", env);
                    n.put("version", 0);
                    n.put("createdAt", Instant.now().toString());
                    return n;
                  });
          s.put("version", s.path("version").asInt() + 1);
          s.put("updatedAt", Instant.now().toString());
          s.put("updatedBy", actor(ex));
          send(ex, 200, s);
        }
        case "GET" -> {
          ObjectNode s = secrets.get(key);
          if (s == null) {
            error(ex, 404, "NOT_FOUND", "secret not found");
          } else {
            send(ex, 200, s);
          }
        }
        case "DELETE" -> {
          secrets.remove(key);
          send(ex, 204, null);
        }
        default -> error(ex, 405, "HTTP_405", "method");
      }
    } else if ((m = match("/environments/([^/]+)/secrets/([^/]+)/grants", p)) != null) {
      ObjectNode s = secrets.get(m.group(1) + "/" + m.group(2));
      if (s == null) {
        error(ex, 404, "NOT_FOUND", "secret not found");
        return;
      }
      s.set("grants", json.readTree(body));
      send(ex, 200, s);
    } else if ((m = match("/environments/([^/]+)/secrets/([^/]+)/audit", p)) != null) {
      ArrayNode out = json.createArrayNode();
      ObjectNode e = out.addObject();
      e.put("at", Instant.now().toString());
      e.put("actor", "alice");
      e.put("action", "WRITE");
      e.put("name", m.group(2));
      e.put("version", 1);
      send(ex, 200, out);
    }
    // ---- filestore ----
    else if ((m = match("/environments/([^/]+)/pipelines/([^/]+)/files", p)) != null) {
      String prefix = m.group(1) + "/" + m.group(2) + "/";
      ObjectNode list = json.createObjectNode();
      ArrayNode out = list.putArray("items");
      files.forEach(
          (k, v) -> {
            if (k.startsWith(prefix)) {
              ObjectNode f = out.addObject();
              f.put("path", k.substring(prefix.length()));
              f.put("sizeBytes", v.length);
            }
          });
      list.put("fileCount", out.size());
      send(ex, 200, list);
    } else if ((m = match("/environments/([^/]+)/pipelines/([^/]+)/files:move", p)) != null) {
      JsonNode in = json.readTree(body);
      String prefix = m.group(1) + "/" + m.group(2) + "/";
      byte[] content = files.remove(prefix + in.path("from").asText());
      if (content == null) {
        error(ex, 404, "NOT_FOUND", "file not found");
        return;
      }
      files.put(prefix + in.path("to").asText(), content);
      ObjectNode f = json.createObjectNode();
      f.put("path", in.path("to").asText());
      f.put("sizeBytes", content.length);
      send(ex, 200, f);
    } else if ((m = match("/environments/([^/]+)/pipelines/([^/]+)/files/(.+)", p)) != null) {
      String key = m.group(1) + "/" + m.group(2) + "/" + m.group(3);
      switch (method) {
        case "PUT" -> {
          files.put(key, body);
          ObjectNode f = json.createObjectNode();
          f.put("path", m.group(3));
          f.put("sizeBytes", body.length);
          send(ex, 200, f);
        }
        case "GET" -> {
          byte[] content = files.get(key);
          if (content == null) {
            error(ex, 404, "NOT_FOUND", "file not found");
          } else {
            ex.getResponseHeaders().add("Content-Type", "application/octet-stream");
            ex.sendResponseHeaders(200, content.length == 0 ? -1 : content.length);
            try (OutputStream out = ex.getResponseBody()) {
              out.write(content);
            }
          }
        }
        case "DELETE" -> {
          files.remove(key);
          send(ex, 204, null);
        }
        default -> error(ex, 405, "HTTP_405", "method");
      }
    } else if ((m = match("/environments/([^/]+)/pipelines/([^/]+)/bundles", p)) != null) {
      ObjectNode b = json.createObjectNode();
      b.put("digest", "sha256:" + "ab".repeat(32));
      b.put("sizeBytes", 42);
      send(ex, 201, b);
    }
    // ---- scheduler ----
    else if ((m = match("/environments/([^/]+)/schedules/preview", p)) != null
        && method.equals("POST")) {
      // like scheduler-service's draft preview: fire times of the rule as sent, nothing saved
      ObjectNode in = (ObjectNode) json.readTree(body);
      ObjectNode out = json.createObjectNode();
      out.putNull("scheduleId");
      out.put("timezone", in.path("timezone").asText("UTC"));
      ArrayNode times = out.putArray("fireTimes");
      int n = Integer.parseInt(query.getOrDefault("count", "10"));
      for (int i = 0; i < n; i++) {
        ObjectNode t = times.addObject();
        t.put("at", "2030-01-0" + (i % 9 + 1) + "T00:00:00Z");
        t.put("rule", in.path("cron").asText(in.path("rrule").asText()));
      }
      send(ex, 200, out);
    } else if ((m = match("/environments/([^/]+)/schedules", p)) != null) {
      String env = m.group(1);
      if (method.equals("POST")) {
        ObjectNode s = (ObjectNode) json.readTree(body);
        s.put("id", UUID.randomUUID().toString());
        s.put("environment", env);
        // like scheduler-service: a state, no paused flag
        s.put("state", s.path("enabled").asBoolean(true) ? "ENABLED" : "PAUSED");
        s.remove("enabled");
        s.put("createdAt", Instant.now().toString());
        s.put("createdBy", actor(ex));
        schedules.put(s.get("id").asText(), s);
        send(ex, 201, s);
      } else {
        ObjectNode list = json.createObjectNode();
        list.set(
            "items",
            json.valueToTree(
                schedules.values().stream()
                    .filter(s -> env.equals(s.path("environment").asText()))
                    .toList()));
        send(ex, 200, list);
      }
    } else if ((m = match("/environments/([^/]+)/schedules/([^/]+)", p)) != null) {
      ObjectNode s = schedules.get(m.group(2));
      if (s == null || !m.group(1).equals(s.path("environment").asText())) {
        error(ex, 404, "NOT_FOUND", "schedule not found");
        return;
      }
      switch (method) {
        case "GET" -> send(ex, 200, s);
        case "PUT" -> {
          ObjectNode in = (ObjectNode) json.readTree(body);
          s.setAll(in);
          send(ex, 200, s);
        }
        case "DELETE" -> {
          schedules.remove(m.group(2));
          send(ex, 204, null);
        }
        default -> error(ex, 405, "HTTP_405", "method");
      }
    } else if ((m = match("/schedules/([^/]+)/(pause|resume|preview|backfill|fires)", p)) != null) {
      ObjectNode s = schedules.get(m.group(1));
      if (s == null) {
        error(ex, 404, "NOT_FOUND", "schedule not found");
        return;
      }
      switch (m.group(2)) {
        case "pause" -> {
          s.put("state", "PAUSED");
          send(ex, 200, s);
        }
        case "resume" -> {
          s.put("state", "ENABLED");
          send(ex, 200, s);
        }
        case "preview" -> {
          ArrayNode out = json.createArrayNode();
          out.add("2030-01-01T00:00:00Z");
          out.add("2030-01-02T00:00:00Z");
          send(ex, 200, out);
        }
        case "backfill" -> {
          JsonNode in = json.readTree(body);
          if (in.path("dryRun").asBoolean(false)) {
            ObjectNode out = json.createObjectNode();
            out.put("scheduleId", m.group(1));
            out.set("from", in.path("from"));
            out.set("to", in.path("to"));
            out.set("fireTimes", json.createArrayNode().add(in.path("from").asText()));
            out.set("alreadyFired", json.createArrayNode());
            send(ex, 200, out);
          } else {
            ObjectNode b = json.createObjectNode();
            b.put("id", UUID.randomUUID().toString());
            b.put("scheduleId", m.group(1));
            b.set("from", in.path("from"));
            b.set("to", in.path("to"));
            b.put("maxConcurrent", in.path("maxConcurrent").asInt(1));
            b.put("state", "RUNNING");
            b.put("total", 3);
            b.put("pending", 3);
            b.put("createdAt", Instant.now().toString());
            b.put("createdBy", actor(ex));
            backfills.put(b.get("id").asText(), b);
            send(ex, 202, b);
          }
        }
        default -> send(ex, 200, json.createArrayNode());
      }
    } else if ((m = match("/schedules/([^/]+)/backfills", p)) != null) {
      String sid = m.group(1);
      send(
          ex,
          200,
          json.valueToTree(
              backfills.values().stream()
                  .filter(b -> sid.equals(b.path("scheduleId").asText()))
                  .toList()));
    } else if ((m = match("/backfills/([^/]+)(/cancel)?", p)) != null) {
      ObjectNode b = backfills.get(m.group(1));
      if (b == null) {
        error(ex, 404, "NOT_FOUND", "backfill " + m.group(1));
        return;
      }
      if (m.group(2) != null && "RUNNING".equals(b.path("state").asText())) {
        b.put("state", "CANCELLED");
      }
      send(ex, 200, b);
    } else if ((m = match("/environments/([^/]+)/triggers", p)) != null) {
      String env = m.group(1);
      if (method.equals("POST")) {
        ObjectNode t = (ObjectNode) json.readTree(body);
        t.put("id", UUID.randomUUID().toString());
        t.put("environment", env);
        t.put("state", t.path("enabled").asBoolean(true) ? "ENABLED" : "PAUSED");
        t.remove("enabled");
        t.put("createdBy", actor(ex));
        triggers.put(t.get("id").asText(), t);
        ObjectNode answer = t.deepCopy();
        if ("WEBHOOK".equals(t.path("kind").asText())) {
          answer.put("token", "dph_stubtoken");
        }
        send(ex, 201, answer);
      } else {
        ObjectNode list = json.createObjectNode();
        list.set(
            "items",
            json.valueToTree(
                triggers.values().stream()
                    .filter(t -> env.equals(t.path("environment").asText()))
                    .toList()));
        send(ex, 200, list);
      }
    } else if ((m = match("/environments/([^/]+)/triggers/([^/]+)(/[a-z]+)?", p)) != null) {
      ObjectNode t = triggers.get(m.group(2));
      if (t == null || !m.group(1).equals(t.path("environment").asText())) {
        error(ex, 404, "NOT_FOUND", "trigger not found");
        return;
      }
      String action = m.group(3) == null ? "" : m.group(3);
      switch (method + " " + action) {
        case "GET " -> send(ex, 200, t);
        case "PUT " -> {
          t.setAll((ObjectNode) json.readTree(body));
          send(ex, 200, t);
        }
        case "DELETE " -> {
          triggers.remove(m.group(2));
          send(ex, 204, null);
        }
        case "POST /pause" -> {
          t.put("state", "PAUSED");
          send(ex, 200, t);
        }
        case "POST /resume" -> {
          t.put("state", "ENABLED");
          send(ex, 200, t);
        }
        case "GET /fires" -> {
          ObjectNode out = json.createObjectNode();
          out.set("items", json.createArrayNode());
          send(ex, 200, out);
        }
        default -> error(ex, 405, "HTTP_405", "method");
      }
    } else if ((m = match("/environments/([^/]+)/notification-deliveries", p)) != null) {
      ObjectNode list = json.createObjectNode();
      list.set("items", json.createArrayNode());
      send(ex, 200, list);
    } else if ((m = match("/environments/([^/]+)/notification-(channels|rules)", p)) != null) {
      String env = m.group(1);
      String kind = m.group(2);
      if (method.equals("POST")) {
        ObjectNode t = (ObjectNode) json.readTree(body);
        t.put("id", UUID.randomUUID().toString());
        t.put("environment", env);
        t.put("kindOfObject", kind);
        t.put("createdBy", actor(ex));
        notificationObjects.put(t.get("id").asText(), t);
        send(ex, 201, t);
      } else {
        ObjectNode list = json.createObjectNode();
        list.set(
            "items",
            json.valueToTree(
                notificationObjects.values().stream()
                    .filter(t -> env.equals(t.path("environment").asText()))
                    .filter(t -> kind.equals(t.path("kindOfObject").asText()))
                    .toList()));
        send(ex, 200, list);
      }
    } else if ((m = match("/environments/([^/]+)/notification-(channels|rules)/([^/]+)", p))
        != null) {
      ObjectNode t = notificationObjects.get(m.group(3));
      if (t == null || !m.group(1).equals(t.path("environment").asText())) {
        error(ex, 404, "NOT_FOUND", "notification object not found");
        return;
      }
      switch (method) {
        case "GET" -> send(ex, 200, t);
        case "PUT" -> {
          t.setAll((ObjectNode) json.readTree(body));
          send(ex, 200, t);
        }
        case "DELETE" -> {
          notificationObjects.remove(m.group(3));
          send(ex, 204, null);
        }
        default -> error(ex, 405, "HTTP_405", "method");
      }
    } else if ((m = match("/triggers/([^/]+)/deliveries", p)) != null) {
      // scheduler-service's refusals, which the gateway relays as they are
      if ("replayed".equals(ex.getRequestHeaders().getFirst("X-Dataplane-Delivery"))) {
        error(ex, 409, "CONFLICT", "delivery replayed was already received");
        return;
      }
      if ("forged".equals(ex.getRequestHeaders().getFirst("X-Dataplane-Hook-Token"))) {
        error(ex, 401, "UNAUTHENTICATED", "bad token or signature");
        return;
      }
      // echoes what scheduler-service would check: the relayed headers and the exact bytes
      ObjectNode out = json.createObjectNode();
      out.put("triggerId", m.group(1));
      out.put("token", ex.getRequestHeaders().getFirst("X-Dataplane-Hook-Token"));
      out.put("signature", ex.getRequestHeaders().getFirst("X-Hub-Signature-256"));
      out.put("delivery", ex.getRequestHeaders().getFirst("X-Dataplane-Delivery"));
      out.put("bodySha256", sha256(body));
      out.put("outcome", "REQUESTED");
      send(ex, 202, out);
    } else {
      error(ex, 404, "NOT_FOUND", "no such path in the stub: " + method + " " + path);
    }
  }

  static String sha256(byte[] b) {
    try {
      return java.util.HexFormat.of()
          .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The worker groups a definition's tasks run in, read the simple way: every {@code workerGroup:
   * x}, or {@code default} when tasks name none.
   */
  static List<String> workerGroupsIn(String definition) {
    Set<String> out = new java.util.TreeSet<>();
    Matcher m = Pattern.compile("workerGroup\"?\\s*:\\s*\"?([A-Za-z0-9_.-]+)").matcher(definition);
    while (m.find()) {
      out.add(m.group(1));
    }
    if (out.isEmpty() && definition.contains("key")) {
      out.add("default");
    }
    return List.copyOf(out);
  }

  private boolean knownEnv(HttpExchange ex, String env) throws IOException {
    if (!environments.containsKey(env)) {
      error(ex, 404, "NOT_FOUND", "environment " + env + " not found");
      return false;
    }
    return true;
  }

  private ObjectNode newRelease(String env, String pipe, String bundleDigest, String actor) {
    ObjectNode r = json.createObjectNode();
    String id = UUID.randomUUID().toString();
    r.put("id", id);
    r.put("environment", env);
    r.put("pipeline", pipe);
    r.put("digest", "sha256:" + "cd".repeat(32));
    r.put("bundleDigest", bundleDigest);
    r.put("createdAt", Instant.now().toString());
    r.put("createdBy", actor);
    releases.put(id, r);
    return r;
  }

  private ObjectNode newRun(String env, String pipe, JsonNode in, String actor) {
    ObjectNode run = json.createObjectNode();
    run.put("id", UUID.randomUUID().toString());
    run.put("environment", env);
    run.put("pipeline", pipe);
    run.put("state", "QUEUED");
    run.set("params", in.has("params") ? in.get("params") : json.createObjectNode());
    run.put("requestId", in.path("requestId").asText(null));
    run.put("trigger", in.path("trigger").asText("MANUAL"));
    run.put("createdBy", actor);
    run.put("createdAt", Instant.now().toString());
    ArrayNode tasks = run.putArray("taskRuns");
    ObjectNode t = tasks.addObject();
    t.put("id", UUID.randomUUID().toString());
    t.put("taskKey", "extract");
    t.put("state", "PENDING");
    t.put("attempt", 0);
    t.putObject("outputs").put("rows", 0);
    t.putArray("attempts");
    return run;
  }

  private static String actor(HttpExchange ex) {
    String a = ex.getRequestHeaders().getFirst("X-Dataplane-Actor");
    return a == null ? "system" : a;
  }

  private static Matcher match(String regex, String path) {
    Matcher m = Pattern.compile(regex).matcher(path);
    return m.matches() ? m : null;
  }

  private ObjectNode errorBody(String code, String message) {
    ObjectNode err = json.createObjectNode();
    err.put("code", code);
    err.put("message", message);
    return err;
  }

  private void error(HttpExchange ex, int status, String code, String message) throws IOException {
    send(ex, status, errorBody(code, message));
  }

  private void send(HttpExchange ex, int status, JsonNode body) throws IOException {
    if (body == null) {
      ex.sendResponseHeaders(status, -1);
      return;
    }
    byte[] bytes = json.writeValueAsBytes(body);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null) {
      return out;
    }
    for (String kv : raw.split("&")) {
      int i = kv.indexOf('=');
      if (i > 0) {
        out.put(
            URLDecoder.decode(kv.substring(0, i), StandardCharsets.UTF_8),
            URLDecoder.decode(kv.substring(i + 1), StandardCharsets.UTF_8));
      }
    }
    return out;
  }
}
