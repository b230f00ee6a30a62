package io.dataplane.cli.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.dataplane.cli.plan.Change;
import io.dataplane.cli.plan.Plan;
import io.dataplane.cli.plan.Specs;
import io.dataplane.cli.plan.StateObject;
import java.io.IOException;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Applies a plan's changes in order through the gateway, then releases the pipelines it changed.
 * Stops at the first refusal: what was done so far is reported, and a new plan shows the rest.
 */
public final class Applier {

  private final GatewayClient gw;
  private final Consumer<String> out;

  public Applier(GatewayClient gw, Consumer<String> out) {
    this.gw = gw;
    this.out = out;
  }

  /** Applies {@code plan}; returns the release id of every released pipeline. */
  public Map<String, String> apply(Plan plan) throws IOException {
    String env = plan.environment();
    for (Change c : plan.changes()) {
      try {
        applyOne(env, c);
      } catch (ApiException e) {
        throw new ApiException(
            e.code(), c.action() + " " + c.key() + " failed: " + e.getMessage(), e.errors());
      }
      out.accept(c.action().sign + " " + c.key() + " done");
    }
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
        v.put("d", c.payload() == null ? null : c.payload().path("description").asText(null));
        gw.graphql(
            "mutation($e: String!, $n: String!, $d: String) { createWorkerGroup(environment: $e, name: $n, description: $d) { name } }",
            v);
      }
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
