package io.dataplane.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.dataplane.cli.api.GatewayClient;
import io.dataplane.cli.api.RemoteState;
import io.dataplane.cli.plan.EnvState;
import io.dataplane.cli.plan.StateObject;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    mixinStandardHelpOptions = true,
    name = "pull",
    description = {
      "Exports what an environment holds into the folder layout (a new or empty folder):"
          + " environment.yaml (worker groups, secret grants, notification channels and rules;"
          + " never a secret's value), pipelines/NAME/pipeline.yaml and files/, schedules/ and"
          + " triggers/ (with their pinned release's number).",
      "A plan of the pulled folder against the same environment shows no changes."
    })
final class PullCommand implements Callable<Integer> {

  private static final ObjectMapper YAML =
      new ObjectMapper(
          YAMLFactory.builder()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
              .build());

  @ParentCommand DataplaneCommand root;
  @Spec CommandSpec spec;

  @Mixin EnvOption envOption;

  @Parameters(paramLabel = "DIR", description = "A new or empty folder.")
  Path dir;

  @Override
  public Integer call() throws Exception {
    if (Files.exists(dir)) {
      try (Stream<Path> s = Files.list(dir)) {
        if (s.findAny().isPresent()) {
          throw new CliException(dir + " is not empty: pull writes into a new or empty folder");
        }
      }
    }
    GatewayClient gw = root.client();
    EnvState state = RemoteState.read(gw, envOption.env);
    Files.createDirectories(dir);
    Map<String, Integer> counts = new LinkedHashMap<>();
    ObjectNode environment = YAML.createObjectNode().put("environment", envOption.env);
    ArrayNode groups = environment.putArray("workerGroups");
    for (StateObject o : state.all()) {
      switch (o.kind()) {
        case StateObject.WORKER_GROUP -> groups.add(o.spec());
        case StateObject.SECRET_GRANTS ->
            list(environment, "secrets")
                .addObject()
                .put("name", o.name())
                .setAll((ObjectNode) o.spec());
        case StateObject.CHANNEL -> list(environment, "notificationChannels").add(o.spec());
        case StateObject.RULE -> list(environment, "notificationRules").add(o.spec());
        case StateObject.PIPELINE -> {
          Path p = safe(dir.resolve("pipelines").resolve(o.name()));
          Files.createDirectories(p);
          Files.writeString(p.resolve("pipeline.yaml"), o.payload().path("source").asText());
        }
        case StateObject.FILE -> {
          Path f =
              safe(
                  dir.resolve("pipelines")
                      .resolve(o.filePipeline())
                      .resolve("files")
                      .resolve(o.filePath()));
          Files.createDirectories(f.getParent());
          Files.write(f, gw.getFile(envOption.env, o.filePipeline(), o.filePath()));
        }
        case StateObject.SCHEDULE, StateObject.TRIGGER -> {
          Path f = safe(dir.resolve(o.kind() + "s").resolve(o.name() + ".yaml"));
          Files.createDirectories(f.getParent());
          JsonNode spec = o.spec();
          Files.writeString(f, YAML.writeValueAsString(spec));
        }
        default -> {}
      }
      counts.merge(o.kind(), 1, Integer::sum);
    }
    Files.writeString(dir.resolve("environment.yaml"), YAML.writeValueAsString(environment));
    PrintWriter out = spec.commandLine().getOut();
    if (root.json()) {
      root.printJson(
          out, Map.of("environment", envOption.env, "dir", dir.toString(), "objects", counts));
    } else {
      out.println("Pulled " + envOption.env + " into " + dir + ": " + counts);
      out.flush();
    }
    return ExitCodes.OK;
  }

  private static ArrayNode list(ObjectNode environment, String field) {
    return environment.has(field)
        ? (ArrayNode) environment.get(field)
        : environment.putArray(field);
  }

  /** A path the server named must stay inside the folder, whatever the server says. */
  private Path safe(Path p) {
    Path root = dir.toAbsolutePath().normalize();
    Path n = p.toAbsolutePath().normalize();
    if (!n.startsWith(root)) {
      throw new CliException("refused to write outside " + dir + ": " + p);
    }
    return n;
  }
}
