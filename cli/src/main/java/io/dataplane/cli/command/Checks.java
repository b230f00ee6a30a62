package io.dataplane.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dataplane.cli.api.GatewayClient;
import io.dataplane.cli.api.RemoteState;
import io.dataplane.cli.plan.EnvState;
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

  /**
   * What the folder names in the environment: the secrets of grants and channels must exist there
   * (the folder never holds a value, so it cannot create one), a pinned release must exist. Pins
   * are resolved: the local spec says the release's number, the payload its id for apply.
   */
  static List<Problem> remote(GatewayClient gw, LocalProject p, String env, EnvState remote)
      throws IOException {
    List<Problem> out = new ArrayList<>();
    for (StateObject o : List.copyOf(p.state().all())) {
      switch (o.kind()) {
        case StateObject.SECRET_GRANTS -> missingSecret(p, env, remote, o.key(), o.name(), out);
        case StateObject.CHANNEL -> {
          String secret = o.spec().path("secretName").asText(null);
          if (secret != null) {
            missingSecret(p, env, remote, o.key() + "#secretName", secret, out);
          }
        }
        case StateObject.SCHEDULE, StateObject.TRIGGER -> {
          if (o.spec().has("release")) {
            pin(gw, p, env, remote, o, out);
          }
        }
        default -> {}
      }
    }
    // a listed secret without grants is no object, but it must exist all the same
    for (Map.Entry<String, LocalProject.Where> w : p.where().entrySet()) {
      String k = w.getKey();
      if (k.startsWith(StateObject.SECRET_GRANTS + "/") && !k.contains("#")) {
        String name = k.substring(k.indexOf('/') + 1);
        if (p.state().get(StateObject.SECRET_GRANTS, name) == null) {
          missingSecret(p, env, remote, k, name, out);
        }
      }
    }
    return out;
  }

  private static void missingSecret(
      LocalProject p,
      String env,
      EnvState remote,
      String whereKey,
      String secret,
      List<Problem> out) {
    if (remote.secrets().contains(secret)) {
      return;
    }
    LocalProject.Where w = p.where().get(whereKey);
    out.add(
        new Problem(
            w == null ? "environment.yaml" : w.file(),
            w == null ? 0 : w.line(),
            "",
            "UNKNOWN_SECRET",
            "secret '"
                + secret
                + "' does not exist in environment "
                + env
                + ": create it with setSecret first (the console's Secrets page, or the GraphQL"
                + " mutation setSecret(environment: \""
                + env
                + "\", name: \""
                + secret
                + "\", value: …)); its value never goes into the folder"));
  }

  private static void pin(
      GatewayClient gw,
      LocalProject p,
      String env,
      EnvState remote,
      StateObject o,
      List<Problem> out)
      throws IOException {
    String pipeline = o.spec().path("pipeline").asText();
    JsonNode rel = o.spec().get("release");
    LocalProject.Where w = p.where().get(o.key() + "#release");
    List<String> ids;
    try {
      ids =
          remote.get(StateObject.PIPELINE, pipeline) == null
              ? List.of()
              : RemoteState.releases(gw, env, remote, pipeline);
    } catch (io.dataplane.cli.api.ApiException e) {
      if (!"NOT_FOUND".equals(e.code())) {
        throw e;
      }
      ids = List.of();
    }
    int index = rel.isIntegralNumber() ? rel.asInt() - 1 : ids.indexOf(rel.asText());
    if (index < 0 || index >= ids.size()) {
      out.add(
          new Problem(
              w == null ? o.key() : w.file(),
              w == null ? 0 : w.line(),
              "release",
              "UNKNOWN_RELEASE",
              "pipeline '"
                  + pipeline
                  + "' has "
                  + (ids.isEmpty() ? "no release" : ids.size() + " release(s)")
                  + " in "
                  + env
                  + ", not release "
                  + rel.asText()
                  + ": pin a release that exists (apply without the pin first to make one)"));
      return;
    }
    ObjectNode spec = ((ObjectNode) o.spec()).deepCopy().put("release", index + 1);
    ObjectNode payload =
        (o.payload() instanceof ObjectNode n ? n.deepCopy() : JsonNodeFactory.instance.objectNode())
            .put("releaseId", ids.get(index));
    p.state().add(new StateObject(o.kind(), o.name(), spec, o.remoteId(), payload));
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
