package io.dataplane.cli.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.dataplane.cli.plan.Change;
import io.dataplane.cli.plan.Plan;
import io.dataplane.cli.plan.Specs;
import io.dataplane.cli.plan.StateObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Applies a plan's changes in order through the gateway, then releases the pipelines it changed.
 * Stops at the first refusal: what was done so far is reported, and a new plan shows the rest.
 */
public final class Applier {

  private final GatewayClient gw;
  private final Consumer<String> out;
  private final Map<String, String> channelIds = new HashMap<>();

  public Applier(GatewayClient gw, Consumer<String> out) {
    this.gw = gw;
    this.out = out;
  }

  /** Applies {@code plan}; returns the release id of every released pipeline. */
  public Map<String, String> apply(Plan plan) throws IOException {
    String env = plan.environment();
    // a worker group goes after the releases: the current release of a pipeline that moved to
    // another group still names it until then (the server refuses to delete a group in use)
    List<Change> groupDeletes = new ArrayList<>();
    for (Change c : plan.changes()) {
      if (c.action() == Change.Action.DELETE && c.kind().equals(StateObject.WORKER_GROUP)) {
        groupDeletes.add(c);
        continue;
      }
      step(env, c);
    }
    Map<String, String> released = release(env, plan);
    for (Change c : groupDeletes) {
      step(env, c);
    }
    return released;
  }

  private void step(String env, Change c) throws IOException {
    try {
      applyOne(env, c);
    } catch (ApiException e) {
      String hint =
          e.code().equals("FORBIDDEN") && c.kind().equals(StateObject.SECRET_GRANTS)
              ? " (granting needs the SECRETS permission on the environment)"
              : "";
      throw new ApiException(
          e.code(),
          c.action()
              + " "
              + c.key()
              + " refused by the server ("
              + e.code()
              + "): "
              + e.getMessage()
              + hint,
          e.errors());
    }
    out.accept(c.action().sign + " " + c.key() + " done");
  }

  private Map<String, String> release(String env, Plan plan) throws IOException {
    Map<String, String> released = new LinkedHashMap<>();
    for (String p : plan.releases()) {
      JsonNode r =
          gw.graphql(
                  "mutation($e: String!, $p: String!) { releasePipeline(environment: $e, pipeline: $p) { id digest } }",
                  Map.of("e", env, "p", p))
              .path("releasePipeline");
      released.put(p, r.path("id").asText());
      out.accept("released " + p + ": " + r.path("id").asText());
    }
    return released;
  }

  private void applyOne(String env, Change c) throws IOException {
    Map<String, Object> v = new HashMap<>();
    v.put("e", env);
    switch (c.kind()) {
      case StateObject.WORKER_GROUP -> {
        v.put("n", c.name());
        if (c.action() == Change.Action.DELETE) {
          gw.graphql(
              "mutation($e: String!, $n: String!) { deleteWorkerGroup(environment: $e, name: $n) }",
              v);
          return;
        }
        v.put("d", c.spec().path("description").asText(null));
        gw.graphql(
            "mutation($e: String!, $n: String!, $d: String) { "
                + (c.action() == Change.Action.CREATE ? "createWorkerGroup" : "updateWorkerGroup")
                + "(environment: $e, name: $n, description: $d) { name } }",
            v);
      }
      case StateObject.SECRET_GRANTS -> {
        v.put("n", c.name());
        v.put("p", Specs.JSON.convertValue(c.spec().path("pipelines"), List.class));
        v.put("w", Specs.JSON.convertValue(c.spec().path("workerGroups"), List.class));
        if (v.get("p") == null) {
          v.put("p", List.of());
        }
        if (v.get("w") == null) {
          v.put("w", List.of());
        }
        gw.graphql(
            "mutation($e: String!, $n: String!, $p: [String], $w: [String]) { grantSecret(environment: $e, name: $n, pipelines: $p, workerGroups: $w) { name } }",
            v);
      }
      case StateObject.CHANNEL -> channel(env, c);
      case StateObject.RULE -> notificationRule(env, c);
      case StateObject.PIPELINE -> {
        v.put("n", c.name());
        if (c.action() == Change.Action.DELETE) {
          gw.graphql(
              "mutation($e: String!, $n: String!) { deletePipeline(environment: $e, name: $n) }",
              v);
        } else {
          v.put("d", c.payload().path("source").asText());
          gw.graphql(
              "mutation($e: String!, $n: String!, $d: String!) { savePipeline(environment: $e, name: $n, definition: $d) { name } }",
              v);
        }
      }
      case StateObject.FILE -> {
        String pipeline = c.name().substring(0, c.name().indexOf('/'));
        String path = c.name().substring(c.name().indexOf('/') + 1);
        if (c.action() == Change.Action.DELETE) {
          v.put("p", pipeline);
          v.put("f", path);
          gw.graphql(
              "mutation($e: String!, $p: String!, $f: String!) { deleteFile(environment: $e, pipeline: $p, path: $f) }",
              v);
        } else {
          byte[] bytes = Base64.getDecoder().decode(c.payload().path("content").asText());
          String digest = Specs.sha256(bytes);
          if (!digest.equals(c.spec().path("digest").asText())) {
            throw new ApiException(
                "CORRUPT_PLAN",
                "the plan's content of " + c.name() + " does not match its digest",
                null);
          }
          gw.putFile(env, pipeline, path, bytes);
        }
      }
      case StateObject.SCHEDULE -> rule(env, c, "Schedule", "ScheduleInput", "schedule");
      case StateObject.TRIGGER -> rule(env, c, "Trigger", "TriggerInput", "trigger");
      default -> throw new IOException("unknown kind " + c.kind());
    }
  }

  private void channel(String env, Change c) throws IOException {
    Map<String, Object> v = new HashMap<>();
    v.put("e", env);
    if (c.action() == Change.Action.DELETE) {
      v.put("id", c.remoteId());
      gw.graphql(
          "mutation($e: String!, $id: String!) { deleteNotificationChannel(environment: $e, id: $id) }",
          v);
      return;
    }
    v.put("in", Specs.JSON.convertValue(c.spec(), Map.class));
    if (c.action() == Change.Action.CREATE) {
      String id =
          gw.graphql(
                  "mutation($e: String!, $in: NotificationChannelInput!) { createNotificationChannel(environment: $e, input: $in) { id } }",
                  v)
              .path("createNotificationChannel")
              .path("id")
              .asText();
      channelIds.put(c.name(), id);
      return;
    }
    v.put("id", c.remoteId());
    gw.graphql(
        "mutation($e: String!, $id: String!, $in: NotificationChannelInput!) { updateNotificationChannel(environment: $e, id: $id, input: $in) { id } }",
        v);
  }

  private void notificationRule(String env, Change c) throws IOException {
    Map<String, Object> v = new HashMap<>();
    v.put("e", env);
    if (c.action() == Change.Action.DELETE) {
      v.put("id", c.remoteId());
      gw.graphql(
          "mutation($e: String!, $id: String!) { deleteNotificationRule(environment: $e, id: $id) }",
          v);
      return;
    }
    Map<String, Object> input = Specs.JSON.convertValue(c.spec(), Map.class);
    String channel = (String) input.remove("channel");
    input.put("channelId", channelId(env, channel));
    v.put("in", input);
    if (c.action() == Change.Action.CREATE) {
      gw.graphql(
          "mutation($e: String!, $in: NotificationRuleInput!) { createNotificationRule(environment: $e, input: $in) { id } }",
          v);
      return;
    }
    v.put("id", c.remoteId());
    gw.graphql(
        "mutation($e: String!, $id: String!, $in: NotificationRuleInput!) { updateNotificationRule(environment: $e, id: $id, input: $in) { id } }",
        v);
  }

  /** A channel's id by name: created by this apply, or read from the environment. */
  private String channelId(String env, String name) throws IOException {
    String id = channelIds.get(name);
    if (id != null) {
      return id;
    }
    for (JsonNode ch :
        gw.graphql(
                "query($e: String!) { notificationChannels(environment: $e) { id name } }",
                Map.of("e", env))
            .path("notificationChannels")) {
      channelIds.putIfAbsent(ch.path("name").asText(), ch.path("id").asText());
    }
    id = channelIds.get(name);
    if (id == null) {
      throw new ApiException("NOT_FOUND", "no notification channel '" + name + "' in " + env, null);
    }
    return id;
  }

  private void rule(String env, Change c, String type, String inputType, String field)
      throws IOException {
    Map<String, Object> v = new HashMap<>();
    v.put("e", env);
    if (c.action() == Change.Action.DELETE) {
      v.put("id", c.remoteId());
      gw.graphql(
          "mutation($e: String!, $id: String!) { delete" + type + "(environment: $e, id: $id) }",
          v);
      return;
    }
    Map<String, Object> input = Specs.JSON.convertValue(c.spec(), Map.class);
    boolean paused = Boolean.TRUE.equals(input.remove("paused"));
    // the folder pins by number; the API by id (resolved when planning)
    input.remove("release");
    String releaseId = c.payload() == null ? null : c.payload().path("releaseId").asText(null);
    if (releaseId != null) {
      input.put("releaseId", releaseId);
    }
    v.put("in", input);
    String id;
    if (c.action() == Change.Action.CREATE) {
      input.put("paused", paused);
      JsonNode r =
          gw.graphql(
                  "mutation($e: String!, $in: "
                      + inputType
                      + "!) { create"
                      + type
                      + "(environment: $e, input: $in) { id "
                      + (type.equals("Trigger") ? "hookPath token" : "")
                      + " } }",
                  v)
              .path("create" + type);
      id = r.path("id").asText();
      if (r.hasNonNull("token")) {
        out.accept(
            "  webhook "
                + c.name()
                + ": POST "
                + gw.server()
                + r.path("hookPath").asText()
                + " with token "
                + r.path("token").asText()
                + " (shown once)");
      }
      return;
    }
    id = c.remoteId();
    v.put("id", id);
    gw.graphql(
        "mutation($e: String!, $id: String!, $in: "
            + inputType
            + "!) { update"
            + type
            + "(environment: $e, id: $id, input: $in) { id } }",
        v);
    if (c.details().stream().noneMatch(d -> d.substring(2).startsWith("paused:"))) {
      return;
    }
    Map<String, Object> p = new HashMap<>();
    p.put("e", env);
    p.put("id", id);
    if (type.equals("Trigger")) {
      p.put("p", paused);
      gw.graphql(
          "mutation($e: String!, $id: String!, $p: Boolean) { pauseTrigger(environment: $e, id: $id, paused: $p) { id } }",
          p);
    } else {
      gw.graphql(
          "mutation($e: String!, $id: String!) { "
              + (paused ? "pauseSchedule" : "resumeSchedule")
              + "(environment: $e, id: $id) { id } }",
          p);
    }
  }
}
