package io.dataplane.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import io.dataplane.cli.api.GatewayClient;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    mixinStandardHelpOptions = true,
    name = "run",
    description = {
      "Starts a run of a pipeline's latest release.",
      "With --follow, streams its task logs live (the logTail subscription) and exits with the"
          + " run's result: 0 SUCCEEDED, 1 FAILED or CANCELLED."
    })
final class RunCommand implements Callable<Integer> {

  static final Set<String> TERMINAL = Set.of("SUCCEEDED", "FAILED", "CANCELLED");

  @ParentCommand DataplaneCommand root;
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "PIPELINE")
  String pipeline;

  @Mixin EnvOption envOption;

  @Option(
      names = {"-p", "--param"},
      paramLabel = "KEY=VALUE",
      description = "A run parameter (a string); repeatable.")
  Map<String, String> params = new LinkedHashMap<>();

  @Option(
      names = "--param-json",
      paramLabel = "KEY=JSON",
      description = "A run parameter given as JSON (numbers, booleans, objects); repeatable.")
  Map<String, String> jsonParams = new LinkedHashMap<>();

  @Option(
      names = {"-f", "--follow"},
      description = "Stream the logs; exit with the run's result.")
  boolean follow;

  @Option(
      names = "--timeout",
      defaultValue = "3600",
      description = "Seconds --follow waits for the run at most (default ${DEFAULT-VALUE}).")
  long timeoutSeconds;

  @Override
  public Integer call() throws Exception {
    Map<String, Object> all = new LinkedHashMap<>(params);
    for (Map.Entry<String, String> e : jsonParams.entrySet()) {
      try {
        all.put(e.getKey(), DataplaneCommand.JSON.readTree(e.getValue()));
      } catch (java.io.IOException ex) {
        throw new CliException("--param-json " + e.getKey() + ": not JSON: " + e.getValue());
      }
    }
    GatewayClient gw = root.client();
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("e", envOption.env);
    v.put("p", pipeline);
    v.put("params", all);
    v.put("r", "cli-" + UUID.randomUUID());
    JsonNode run =
        gw.graphql(
                "mutation($e: String!, $p: String!, $params: Object, $r: String) { startRun(environment: $e, pipeline: $p, params: $params, requestId: $r) { id state releaseId } }",
                v)
            .path("startRun");
    String runId = run.path("id").asText();
    PrintWriter out = spec.commandLine().getOut();
    if (!follow) {
      if (root.json()) {
        root.printJson(out, run);
      } else {
        out.println("Run " + runId + " started (" + run.path("state").asText() + ").");
        out.flush();
      }
      return ExitCodes.OK;
    }
    if (!root.json()) {
      out.println("Run " + runId + " started; following it.");
      out.flush();
    }
    JsonNode done = follow(gw, runId, out, root.json(), Duration.ofSeconds(timeoutSeconds));
    String state = done.path("state").asText();
    if (root.json()) {
      root.printJson(out, done);
    } else {
      out.println(
          "Run "
              + runId
              + " "
              + state
              + (done.hasNonNull("error") ? ": " + done.path("error").asText() : ""));
      out.flush();
    }
    return "SUCCEEDED".equals(state) ? ExitCodes.OK : ExitCodes.ERROR;
  }

  /**
   * Follows a run: its updates and every task's log through the subscriptions, with a query to
   * catch up with what happened before they started. Returns the finished run.
   */
  static JsonNode follow(
      GatewayClient gw, String runId, PrintWriter out, boolean quiet, Duration timeout)
      throws Exception {
    Map<String, String> taskKeys = new ConcurrentHashMap<>();
    Set<String> tailed = ConcurrentHashMap.newKeySet();
    List<GatewayClient.Subscription> subs = new CopyOnWriteArrayList<>();
    Object lock = new Object();
    String[] finalState = {null};
    java.util.function.Consumer<String> println =
        line -> {
          if (!quiet) {
            synchronized (out) {
              out.println(line);
              out.flush();
            }
          }
        };
    java.util.function.Consumer<String> tail =
        taskRunId -> {
          if (!tailed.add(taskRunId)) {
            return;
          }
          subs.add(
              gw.subscribe(
                  "subscription($t: String!, $r: String) { logTail(taskRunId: $t, runId: $r) { attempt stream text } }",
                  Map.of("t", taskRunId, "r", runId),
                  data -> {
                    JsonNode l = data.path("logTail");
                    println.accept(
                        String.format(
                            "%s #%d | %s",
                            taskKeys.getOrDefault(taskRunId, taskRunId),
                            l.path("attempt").asInt(),
                            l.path("text").asText()));
                  }));
        };
    subs.add(
        gw.subscribe(
            "subscription($r: String!) { runUpdates(runId: $r) { kind taskRunId taskKey attempt state error } }",
            Map.of("r", runId),
            data -> {
              JsonNode u = data.path("runUpdates");
              String state = u.path("state").asText();
              if ("RUN".equals(u.path("kind").asText())) {
                if (TERMINAL.contains(state)) {
                  synchronized (lock) {
                    finalState[0] = state;
                    lock.notifyAll();
                  }
                }
              } else {
                String taskRunId = u.path("taskRunId").asText();
                taskKeys.put(taskRunId, u.path("taskKey").asText());
                println.accept(
                    "task "
                        + u.path("taskKey").asText()
                        + " attempt "
                        + u.path("attempt").asInt()
                        + ": "
                        + state
                        + (u.hasNonNull("error") ? " (" + u.path("error").asText() + ")" : ""));
                if ("QUEUED".equals(state) || "RUNNING".equals(state)) {
                  tail.accept(taskRunId);
                }
              }
            }));
    Instant deadline = Instant.now().plus(timeout);
    JsonNode run = queryRun(gw, runId);
    for (JsonNode tr : run.path("taskRuns")) {
      taskKeys.put(tr.path("id").asText(), tr.path("taskKey").asText());
      if (!"PENDING".equals(tr.path("state").asText())) {
        tail.accept(tr.path("id").asText());
      }
    }
    synchronized (lock) {
      while (finalState[0] == null && Instant.now().isBefore(deadline)) {
        lock.wait(3000);
        if (finalState[0] == null
            && TERMINAL.contains(queryRun(gw, runId).path("state").asText())) {
          finalState[0] = "done";
        }
      }
    }
    run = queryRun(gw, runId);
    if (!TERMINAL.contains(run.path("state").asText())) {
      subs.forEach(GatewayClient.Subscription::close);
      throw new CliException(
          "run "
              + runId
              + " is still "
              + run.path("state").asText()
              + " after "
              + timeout.toSeconds()
              + "s");
    }
    for (JsonNode tr : run.path("taskRuns")) {
      taskKeys.put(tr.path("id").asText(), tr.path("taskKey").asText());
      tail.accept(tr.path("id").asText());
    }
    for (GatewayClient.Subscription sub : new ArrayList<>(subs)) {
      try {
        sub.done().get(3, TimeUnit.SECONDS);
      } catch (Exception e) {
        // still open: the run is over, close it below
      }
      sub.close();
    }
    return run;
  }

  static JsonNode queryRun(GatewayClient gw, String runId) throws java.io.IOException {
    JsonNode run =
        gw.graphql(
                "query($id: String!) { run(id: $id) { id pipeline environment state error createdAt startedAt finishedAt params taskRuns { id taskKey state attempt error startedAt finishedAt } } }",
                Map.of("id", runId))
            .path("run");
    if (run.isNull() || run.isMissingNode()) {
      throw new CliException("run " + runId + " not found");
    }
    return run;
  }
}
