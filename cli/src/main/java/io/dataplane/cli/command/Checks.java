package io.dataplane.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import io.dataplane.cli.api.GatewayClient;
import io.dataplane.cli.plan.StateObject;
import io.dataplane.cli.project.LocalProject;
import io.dataplane.cli.project.Problem;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The folder's checks: offline first, then every pipeline definition by the server. */
final class Checks {

  private Checks() {}

  /** The environment to use: {@code --env}, else environment.yaml's; refuses when they differ. */
  static String environment(LocalProject p, String flag, List<Problem> problems) {
    if (flag != null && p.environment() != null && !flag.equals(p.environment())) {
      problems.add(
          new Problem(
              "environment.yaml",
              1,
              "environment",
              "WRONG_ENVIRONMENT",
              "this folder is for environment '"
                  + p.environment()
                  + "', not '"
                  + flag
                  + "': refused"));
    }
    return flag != null ? flag : p.environment();
  }

  /** The server's problems with each pipeline definition, at their lines. */
  static List<Problem> server(GatewayClient gw, LocalProject p, String env) throws IOException {
    List<Problem> out = new ArrayList<>();
    for (Map.Entry<String, LocalProject.PipelineSource> e : p.pipelines().entrySet()) {
      LocalProject.PipelineSource src = e.getValue();
      JsonNode r =
          gw.graphql(
                  "mutation($e: String!, $n: String!, $d: String!) { validatePipeline(environment: $e, name: $n, definition: $d) { valid errors { path code message } } }",
                  Map.of("e", env, "n", e.getKey(), "d", src.text()))
              .path("validatePipeline");
      for (JsonNode err : r.path("errors")) {
        String path = err.path("path").asText("");
        String code = err.path("code").asText();
        if (code.equals("UNKNOWN_WORKER_GROUP")
            && declaredGroup(p, src.document().tree(), path, err.path("message").asText())) {
          continue; // apply creates it first
        }
        out.add(
            new Problem(
                src.file(), src.document().lineOf(path), path, code, err.path("message").asText()));
      }
    }
    return out;
  }

  /** Whether the worker group at {@code path} is one environment.yaml declares. */
  private static boolean declaredGroup(LocalProject p, JsonNode tree, String path, String message) {
    JsonNode v = tree.at("/" + path.replaceAll("\\[(\\d+)]", ".$1").replace('.', '/'));
    // a task without a group of its own inherits the pipeline's: the message names the group
    java.util.regex.Matcher named = java.util.regex.Pattern.compile("'([^']+)'").matcher(message);
    String group = v.isTextual() ? v.asText() : named.find() ? named.group(1) : null;
    return group != null && p.state().get(StateObject.WORKER_GROUP, group) != null;
  }
}
