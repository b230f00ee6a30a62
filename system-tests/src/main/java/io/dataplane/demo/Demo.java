package io.dataplane.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The demo scenario, through the gateway's GraphQL API alone: sign in, create an environment and a
 * worker group, save a sample pipeline (a diamond of Python and Bash tasks that use a secret and a
 * code file, pass outputs downstream, and one that fails once and succeeds on retry), set the
 * secret, write the file, release, start a run and follow it live, then print a summary; then a
 * pipeline that fails on purpose, and its failure notification arriving at a local receiver ({@link
 * FailureNotice}).
 *
 * <p>Used by {@code dev/demo} (printing for a person) and by the system tests (asserting).
 */
public final class Demo {

  /** Where the demo runs and who signs in. */
  public record Settings(
      URI graphql,
      String tokenEndpoint,
      String clientId,
      String user,
      String password,
      String environment,
      String pipeline,
      String workerGroup,
      Duration timeout) {

    public static Settings local(String environment) {
      return new Settings(
          URI.create(env("DP_GRAPHQL_URL", "http://127.0.0.1:8080/graphql")),
          env(
              "DP_TOKEN_URL",
              "http://127.0.0.1:8180/realms/dataplane/protocol/openid-connect/token"),
          "dataplane-cli",
          env("DP_USER", "alice"),
          env("DP_PASSWORD", env("DP_USER", "alice")),
          environment,
          "demo-etl",
          "default",
          Duration.ofMinutes(3));
    }

    private static String env(String name, String dflt) {
      String v = System.getenv(name);
      return v == null || v.isBlank() ? dflt : v;
    }
  }

  /** What the run did, for the summary and for assertions. */
  public record Result(
      String runId,
      String state,
      JsonNode run,
      List<String> updates,
      Map<String, List<String>> logs,
      String secretValue,
      FailureNotice.Notice notice) {}

  public static final String SECRET_NAME = "DEMO_API_TOKEN";

  static final String TRANSFORM_PY =
      """
      import json, os

      # upstream outputs arrive in the file named by DP_INPUTS
      with open(os.environ["DP_INPUTS"]) as f:
          inputs = json.load(f)
      rows = inputs["extract"]["rows"]
      token = os.environ["DEMO_API_TOKEN"]
      print(f"transform: {rows} rows from extract, using token {token}")
      with open(os.environ["DP_OUTPUT"], "w") as f:
          json.dump({"rows": rows * 2, "tokenLength": len(token)}, f)
      """;

  static String definition(String workerGroup) {
    return """
        description: Demo diamond - extract, then transform and check in parallel, then load
        workerGroup: %s
        params:
          day: {type: string, default: "2026-11-22"}
        tasks:
          - key: extract
            runtime: bash
            secrets: [DEMO_API_TOKEN]
            script: |
              echo "extract: day $DP_PARAM_DAY, calling the API with token $DEMO_API_TOKEN"
              echo '{"rows": 21}' > "$DP_OUTPUT"
          - key: transform
            runtime: python
            entrypoint: transform.py
            dependsOn: [extract]
            secrets: [DEMO_API_TOKEN]
          - key: check
            runtime: bash
            dependsOn: [extract]
            retries: {max: 2, backoff: fixed, initialDelay: 1s}
            script: |
              if [ "$DP_ATTEMPT" = "1" ]; then
                echo "check: the first attempt fails on purpose" >&2
                exit 3
              fi
              echo "check: attempt $DP_ATTEMPT passes"
              echo '{"checked": true}' > "$DP_OUTPUT"
          - key: load
            runtime: python
            dependsOn: [transform, check]
            script: |
              import json, os
              inputs = json.load(open(os.environ["DP_INPUTS"]))
              rows = inputs["transform"]["rows"]
              print(f"load: loading {rows} rows (checked={inputs['check']['checked']})")
              json.dump({"loaded": rows}, open(os.environ["DP_OUTPUT"], "w"))
        """
        .formatted(workerGroup);
  }

  private final Settings settings;
  private final Consumer<String> out;

  public Demo(Settings settings, Consumer<String> out) {
    this.settings = settings;
    this.out = out;
  }

  public static void main(String[] args) throws Exception {
    String env = args.length > 0 ? args[0] : "demo";
    Result r = new Demo(Settings.local(env), System.out::println).run();
    System.exit("SUCCEEDED".equals(r.state()) && r.notice().signed() ? 0 : 1);
  }

  public Result run() throws Exception {
    Settings s = settings;
    out.accept("Signing in as " + s.user() + " at " + s.tokenEndpoint());
    String token =
        GraphQLClient.passwordGrant(s.tokenEndpoint(), s.clientId(), s.user(), s.password());
    GraphQLClient gql = new GraphQLClient(s.graphql(), token);
    JsonNode me = gql.execute("query { me { name admin } }", Map.of());
    out.accept("Signed in: " + me.path("me"));

    createIfMissing(
        gql,
        "mutation($n: String!) { createEnvironment(name: $n, description: \"Dataplane demo\") { name } }",
        Map.of("n", s.environment()),
        "environment " + s.environment());
    createIfMissing(
        gql,
        "mutation($e: String!, $n: String!) { createWorkerGroup(environment: $e, name: $n) { name } }",
        Map.of("e", s.environment(), "n", s.workerGroup()),
        "worker group " + s.workerGroup());

    String secret = "dp-demo-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
    gql.execute(
        "mutation($e: String!, $n: String!, $v: String!) { setSecret(environment: $e, name: $n, value: $v) { name version } }",
        Map.of("e", s.environment(), "n", SECRET_NAME, "v", secret));
    gql.execute(
        "mutation($e: String!, $n: String!, $p: [String]) { grantSecret(environment: $e, name: $n, pipelines: $p) { name } }",
        Map.of("e", s.environment(), "n", SECRET_NAME, "p", List.of(s.pipeline())));
    out.accept("Secret " + SECRET_NAME + " set and granted to " + s.pipeline());

    gql.execute(
        "mutation($e: String!, $p: String!, $d: String!) { savePipeline(environment: $e, name: $p, definition: $d) { name } }",
        Map.of("e", s.environment(), "p", s.pipeline(), "d", definition(s.workerGroup())));
    gql.execute(
        "mutation($e: String!, $p: String!, $path: String!, $c: String!) { writeFile(environment: $e, pipeline: $p, path: $path, content: $c) { path } }",
        Map.of("e", s.environment(), "p", s.pipeline(), "path", "transform.py", "c", TRANSFORM_PY));
    JsonNode release =
        gql.execute(
                "mutation($e: String!, $p: String!) { releasePipeline(environment: $e, pipeline: $p) { id digest bundleDigest } }",
                Map.of("e", s.environment(), "p", s.pipeline()))
            .path("releasePipeline");
    out.accept(
        "Pipeline "
            + s.pipeline()
            + " saved, transform.py written, released "
            + release.path("id").asText());

    JsonNode started =
        gql.execute(
                "mutation($e: String!, $p: String!, $params: Object) { startRun(environment: $e, pipeline: $p, params: $params) { id state } }",
                Map.of(
                    "e", s.environment(), "p", s.pipeline(), "params", Map.of("day", "2026-11-22")))
            .path("startRun");
    String runId = started.path("id").asText();
    out.accept("Run " + runId + " started; following it live\n");
    Result r = follow(gql, runId, secret);
    FailureNotice.Notice notice =
        FailureNotice.show(gql, s.environment(), s.workerGroup(), Duration.ofMinutes(1), out);
    return new Result(
        r.runId(), r.state(), r.run(), r.updates(), r.logs(), r.secretValue(), notice);
  }

  private void createIfMissing(
      GraphQLClient gql, String mutation, Map<String, Object> vars, String what) throws Exception {
    JsonNode r = gql.executeRaw(mutation, vars);
    JsonNode errors = r.path("errors");
    if (errors.size() == 0) {
      out.accept("Created " + what);
    } else if ("CONFLICT".equals(errors.get(0).path("extensions").path("code").asText())) {
      out.accept("Using the existing " + what);
    } else {
      throw new GraphQLClient.GraphQLException(errors);
    }
  }

  private Result follow(GraphQLClient gql, String runId, String secret) throws Exception {
    List<String> updates = new CopyOnWriteArrayList<>();
    Map<String, List<String>> logs = new ConcurrentHashMap<>();
    Map<String, String> taskKeys = new ConcurrentHashMap<>();
    Set<String> tailed = ConcurrentHashMap.newKeySet();
    List<GraphQLClient.Subscription> subs = new CopyOnWriteArrayList<>();
    Object lock = new Object();
    String[] finalState = {null};

    Consumer<String> tail =
        taskRunId -> {
          if (!tailed.add(taskRunId)) {
            return;
          }
          subs.add(
              gql.subscribe(
                  "subscription($t: String!, $r: String) { logTail(taskRunId: $t, runId: $r) { seq attempt stream text } }",
                  Map.of("t", taskRunId, "r", runId),
                  data -> {
                    JsonNode l = data.path("logTail");
                    String key = taskKeys.getOrDefault(taskRunId, taskRunId);
                    String line =
                        String.format(
                            Locale.ROOT,
                            "  %-9s #%d %s | %s",
                            key,
                            l.path("attempt").asInt(),
                            l.path("stream").asText(),
                            l.path("text").asText());
                    logs.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>())
                        .add(l.path("text").asText());
                    out.accept(line);
                  }));
        };

    subs.add(
        gql.subscribe(
            "subscription($r: String!) { runUpdates(runId: $r) { kind taskRunId taskKey attempt state previous error } }",
            Map.of("r", runId),
            data -> {
              JsonNode u = data.path("runUpdates");
              String state = u.path("state").asText();
              if ("RUN".equals(u.path("kind").asText())) {
                updates.add("run " + state);
                out.accept("run " + runId + ": " + u.path("previous").asText() + " -> " + state);
                if (isTerminal(state)) {
                  synchronized (lock) {
                    finalState[0] = state;
                    lock.notifyAll();
                  }
                }
              } else {
                String key = u.path("taskKey").asText();
                String taskRunId = u.path("taskRunId").asText();
                taskKeys.put(taskRunId, key);
                updates.add(key + " " + state);
                String err =
                    u.path("error").isMissingNode() || u.path("error").isNull()
                        ? ""
                        : " (" + u.path("error").asText() + ")";
                out.accept(
                    String.format(
                        Locale.ROOT,
                        "task %-9s attempt %d: %s%s",
                        key,
                        u.path("attempt").asInt(),
                        state,
                        err));
                if ("QUEUED".equals(state) || "RUNNING".equals(state)) {
                  tail.accept(taskRunId);
                }
              }
            }));

    // the run may have moved before the subscription started: catch up from a query, and keep a
    // slow safety check in case the terminal update raced the subscription
    Instant deadline = Instant.now().plus(settings.timeout());
    JsonNode run = queryRun(gql, runId);
    for (JsonNode tr : run.path("taskRuns")) {
      taskKeys.put(tr.path("id").asText(), tr.path("taskKey").asText());
      if (!"PENDING".equals(tr.path("state").asText())) {
        tail.accept(tr.path("id").asText());
      }
    }
    synchronized (lock) {
      while (finalState[0] == null && Instant.now().isBefore(deadline)) {
        lock.wait(5000);
        if (finalState[0] == null) {
          JsonNode now = queryRun(gql, runId);
          if (isTerminal(now.path("state").asText())) {
            finalState[0] = now.path("state").asText();
          }
        }
      }
    }
    run = queryRun(gql, runId);
    // let every task's log tail deliver its stored lines before the summary
    for (JsonNode tr : run.path("taskRuns")) {
      tail.accept(tr.path("id").asText());
    }
    for (GraphQLClient.Subscription sub : subs) {
      try {
        sub.done().get(3, TimeUnit.SECONDS);
      } catch (Exception e) {
        // still open: the run is over, close it below
      }
      sub.close();
    }
    String state = run.path("state").asText();
    summary(run);
    return new Result(
        runId, state, run, new ArrayList<>(updates), new LinkedHashMap<>(logs), secret, null);
  }

  private JsonNode queryRun(GraphQLClient gql, String runId) throws Exception {
    return gql.execute(
            "query($id: String!) { run(id: $id) { id state createdAt startedAt finishedAt"
                + " taskRuns { id taskKey state attempt outputs error startedAt finishedAt"
                + " attempts { attempt state outcome exitCode error startedAt finishedAt } } } }",
            Map.of("id", runId))
        .path("run");
  }

  private static boolean isTerminal(String state) {
    return Set.of("SUCCEEDED", "FAILED", "CANCELLED").contains(state);
  }

  private void summary(JsonNode run) {
    out.accept("");
    out.accept(
        "Summary of run "
            + run.path("id").asText()
            + ": "
            + run.path("state").asText()
            + " in "
            + millis(run.path("startedAt"), run.path("finishedAt")));
    out.accept(
        String.format(
            Locale.ROOT,
            "  %-10s %-10s %-9s %-9s %s",
            "task",
            "state",
            "attempts",
            "duration",
            "outputs"));
    for (JsonNode tr : run.path("taskRuns")) {
      out.accept(
          String.format(
              Locale.ROOT,
              "  %-10s %-10s %-9d %-9s %s",
              tr.path("taskKey").asText(),
              tr.path("state").asText(),
              tr.path("attempts").size(),
              millis(tr.path("startedAt"), tr.path("finishedAt")),
              tr.path("outputs").isMissingNode() ? "" : tr.path("outputs")));
    }
  }

  private static String millis(JsonNode from, JsonNode to) {
    if (!from.isTextual() || !to.isTextual()) {
      return "-";
    }
    return Duration.between(Instant.parse(from.asText()), Instant.parse(to.asText())).toMillis()
        + " ms";
  }
}
