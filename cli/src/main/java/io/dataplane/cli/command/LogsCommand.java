package io.dataplane.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.dataplane.cli.api.GatewayClient;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    mixinStandardHelpOptions = true,
    name = "logs",
    description = "Prints the stored task logs of a run (every task, or the one named).")
final class LogsCommand implements Callable<Integer> {

  @ParentCommand DataplaneCommand root;
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "RUN", description = "The run's id.")
  String runId;

  @Parameters(index = "1", arity = "0..1", paramLabel = "TASK", description = "A task key.")
  String task;

  @Override
  public Integer call() throws Exception {
    GatewayClient gw = root.client();
    JsonNode run = RunCommand.queryRun(gw, runId);
    PrintWriter out = spec.commandLine().getOut();
    ArrayNode all = DataplaneCommand.JSON.createArrayNode();
    boolean found = false;
    for (JsonNode tr : run.path("taskRuns")) {
      String key = tr.path("taskKey").asText();
      if (task != null && !task.equals(key)) {
        continue;
      }
      found = true;
      Long after = null;
      while (true) {
        Map<String, Object> v = new HashMap<>();
        v.put("t", tr.path("id").asText());
        v.put("r", runId);
        v.put("a", after);
        JsonNode page =
            gw.graphql(
                    "query($t: String!, $r: String, $a: BigInteger) { logs(taskRunId: $t, runId: $r, afterSeq: $a, limit: 500) { complete nextSeq lines { seq attempt stream text ts } } }",
                    v)
                .path("logs");
        for (JsonNode l : page.path("lines")) {
          if (root.json()) {
            all.add(
                ((com.fasterxml.jackson.databind.node.ObjectNode) l.deepCopy()).put("task", key));
          } else {
            out.println(key + " #" + l.path("attempt").asInt() + " | " + l.path("text").asText());
          }
          after = l.path("seq").asLong();
        }
        if (page.path("lines").isEmpty()) {
          break;
        }
      }
    }
    if (task != null && !found) {
      throw new CliException("run " + runId + " has no task '" + task + "'");
    }
    if (root.json()) {
      root.printJson(out, all);
    }
    out.flush();
    return ExitCodes.OK;
  }
}
