package io.dataplane.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "runs",
    mixinStandardHelpOptions = true,
    description = "Lists runs of an environment, newest first.")
final class RunsCommand implements Callable<Integer> {

  @ParentCommand DataplaneCommand root;
  @Spec CommandSpec spec;

  @Mixin EnvOption envOption;

  @Option(names = "--pipeline", description = "Only runs of this pipeline.")
  String pipeline;

  @Option(names = "--state", description = "Only runs in this state (QUEUED, RUNNING, FAILED, …).")
  String state;

  @Option(
      names = "--limit",
      defaultValue = "20",
      description = "At most this many (default ${DEFAULT-VALUE}).")
  int limit;

  @Override
  public Integer call() throws Exception {
    Map<String, Object> v = new HashMap<>();
    v.put("e", envOption.env);
    v.put("p", pipeline);
    v.put("s", state);
    v.put("l", limit);
    JsonNode items =
        root.client()
            .graphql(
                "query($e: String, $p: String, $s: String, $l: Int) { runs(environment: $e, pipeline: $p, state: $s, limit: $l) { items { id pipeline state trigger createdAt finishedAt error } } }",
                v)
            .path("runs")
            .path("items");
    PrintWriter out = spec.commandLine().getOut();
    if (root.json()) {
      root.printJson(out, items);
      return ExitCodes.OK;
    }
    out.printf("%-36s  %-20s  %-10s  %s%n", "RUN", "PIPELINE", "STATE", "CREATED");
    for (JsonNode r : items) {
      out.printf(
          "%-36s  %-20s  %-10s  %s%n",
          r.path("id").asText(),
          r.path("pipeline").asText(),
          r.path("state").asText(),
          r.path("createdAt").asText());
    }
    out.flush();
    return ExitCodes.OK;
  }
}
