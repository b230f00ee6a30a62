package io.dataplane.cli.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dataplane.cli.plan.EnvState;
import io.dataplane.cli.plan.Specs;
import io.dataplane.cli.plan.StateObject;
import io.dataplane.cli.project.YamlDocument;
import java.io.IOException;
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
              F.objectNode().put("name", g.path("name").asText()),
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
                "query($e: String!) { schedules(environment: $e) { id name pipeline cron rrule timezone misfirePolicy params description state } }",
                e)
            .path("schedules")) {
      s.add(
          new StateObject(
              StateObject.SCHEDULE,
              sc.path("name").asText(),
              Specs.schedule(sc),
              sc.path("id").asText(),
              null));
    }
    for (JsonNode t :
        gw.graphql(
                "query($e: String!) { triggers(environment: $e) { id name kind pipeline upstreamPipeline onState topic filterField filterValue auth secretName params description state } }",
                e)
            .path("triggers")) {
      s.add(
          new StateObject(
              StateObject.TRIGGER,
              t.path("name").asText(),
              Specs.trigger(t),
              t.path("id").asText(),
              t));
    }
    return s;
  }
}
