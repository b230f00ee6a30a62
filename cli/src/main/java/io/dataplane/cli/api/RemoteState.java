package io.dataplane.cli.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dataplane.cli.plan.EnvState;
import io.dataplane.cli.plan.Specs;
import io.dataplane.cli.plan.StateObject;
import io.dataplane.cli.project.YamlDocument;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** Reads what an environment holds through the gateway, in the form the plan compares. */
public final class RemoteState {

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private RemoteState() {}

  public static EnvState read(GatewayClient gw, String env) throws IOException {
    EnvState s = new EnvState();
    Map<String, String> e = Map.of("e", env);
    JsonNode environment =
        gw.graphql("query($e: String!) { environment(name: $e) { name } }", e).path("environment");
    if (environment.isNull() || environment.isMissingNode()) {
      throw new ApiException("NOT_FOUND", "environment '" + env + "' does not exist", null);
    }
    for (JsonNode g :
        gw.graphql("query($e: String!) { workerGroups(environment: $e) { name description } }", e)
            .path("workerGroups")) {
      s.add(
          new StateObject(
              StateObject.WORKER_GROUP,
              g.path("name").asText(),
              Specs.workerGroup(g.path("name").asText(), g.path("description").asText(null)),
              null,
              g));
    }
    for (JsonNode p :
        gw.graphql(
                "query($e: String!) { pipelines(environment: $e) { name source sourceFormat latestReleaseId } }",
                e)
            .path("pipelines")) {
      String name = p.path("name").asText();
      JsonNode spec;
      try {
        spec = Specs.pipeline(YamlDocument.parse(p.path("source").asText("")).tree());
      } catch (YamlDocument.SyntaxException ex) {
        spec = F.objectNode().put("unreadableSource", true);
      }
      ObjectNode payload =
          F.objectNode()
              .put("source", p.path("source").asText(""))
              .put("format", p.path("sourceFormat").asText("YAML"));
      s.add(new StateObject(StateObject.PIPELINE, name, spec, null, payload));
      if (p.path("latestReleaseId").isNull() || p.path("latestReleaseId").asText().isEmpty()) {
        s.unreleased(name);
      }
      for (JsonNode f :
          gw.graphql(
                  "query($e: String!, $p: String!) { files(environment: $e, pipeline: $p) { path digest } }",
                  Map.of("e", env, "p", name))
              .path("files")) {
        s.add(
            new StateObject(
                StateObject.FILE,
                name + "/" + f.path("path").asText(),
                F.objectNode().put("digest", f.path("digest").asText()),
                null,
                null));
      }
    }
    for (JsonNode sc :
        gw.graphql(
                "query($e: String!) { schedules(environment: $e) { id name pipeline cron rrule timezone misfirePolicy params description state releaseId } }",
                e)
            .path("schedules")) {
      s.add(
          new StateObject(
              StateObject.SCHEDULE,
              sc.path("name").asText(),
              pinned(gw, env, s, Specs.schedule(sc), sc),
              sc.path("id").asText(),
              null));
    }
    for (JsonNode t :
        gw.graphql(
                "query($e: String!) { triggers(environment: $e) { id name kind pipeline upstreamPipeline onState topic filterField filterValue auth secretName params description state releaseId declared } }",
                e)
            .path("triggers")) {
      if (t.path("declared").asBoolean()) {
        // declared in its pipeline's definition (triggers:): planned, applied and pulled with
        // the pipeline.yaml, never as a triggers/*.yaml of its own
        continue;
      }
      s.add(
          new StateObject(
              StateObject.TRIGGER,
              t.path("name").asText(),
              pinned(gw, env, s, Specs.trigger(t), t),
              t.path("id").asText(),
              t));
    }
    for (JsonNode sec :
        gw.graphql(
                "query($e: String!) { secrets(environment: $e) { name grants { pipelines workerGroups } } }",
                e)
            .path("secrets")) {
      String name = sec.path("name").asText();
      s.secrets().add(name);
      JsonNode spec =
          Specs.grants(
              sec.path("grants").path("pipelines"), sec.path("grants").path("workerGroups"));
      if (!spec.isEmpty()) {
        s.add(new StateObject(StateObject.SECRET_GRANTS, name, spec, null, null));
      }
    }
    Map<String, String> channelNames = new java.util.HashMap<>();
    for (JsonNode c :
        gw.graphql(
                "query($e: String!) { notificationChannels(environment: $e) { id name kind url secretName smtpHost smtpPort smtpTls smtpUsername mailFrom mailTo } }",
                e)
            .path("notificationChannels")) {
      channelNames.put(c.path("id").asText(), c.path("name").asText());
      s.add(
          new StateObject(
              StateObject.CHANNEL,
              c.path("name").asText(),
              Specs.channel(c),
              c.path("id").asText(),
              null));
    }
    for (JsonNode r :
        gw.graphql(
                "query($e: String!) { notificationRules(environment: $e) { id name channelId pipeline events quietPeriodSeconds enabled } }",
                e)
            .path("notificationRules")) {
      ObjectNode withChannel = ((ObjectNode) r.deepCopy());
      withChannel.put(
          "channel",
          channelNames.getOrDefault(r.path("channelId").asText(), r.path("channelId").asText()));
      s.add(
          new StateObject(
              StateObject.RULE,
              r.path("name").asText(),
              Specs.rule(withChannel),
              r.path("id").asText(),
              null));
    }
    return s;
  }

  /**
   * A schedule's or trigger's spec with its pinned release as the folder writes it: the release's
   * number among its pipeline's releases (1 = the first), or its id when that is not found.
   */
  private static JsonNode pinned(
      GatewayClient gw, String env, EnvState s, JsonNode spec, JsonNode n) throws IOException {
    String id = n.path("releaseId").asText("");
    if (id.isEmpty()) {
      return spec;
    }
    List<String> ids = releases(gw, env, s, n.path("pipeline").asText());
    int i = ids.indexOf(id);
    ObjectNode o = ((ObjectNode) spec).deepCopy();
    if (i >= 0) {
      o.put("release", i + 1);
    } else {
      o.put("release", id);
    }
    return Specs.canonical(o);
  }

  /** A pipeline's release ids, oldest first (read once per state). */
  public static List<String> releases(GatewayClient gw, String env, EnvState s, String pipeline)
      throws IOException {
    List<String> known = s.releases().get(pipeline);
    if (known != null) {
      return known;
    }
    List<String> ids = new ArrayList<>();
    for (JsonNode r :
        gw.graphql(
                "query($e: String!, $p: String!) { releases(environment: $e, pipeline: $p) { id createdAt } }",
                Map.of("e", env, "p", pipeline))
            .path("releases")) {
      ids.add(r.path("id").asText());
    }
    // the API lists the newest first
    Collections.reverse(ids);
    s.releases().put(pipeline, ids);
    return ids;
  }
}
