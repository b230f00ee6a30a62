package io.dataplane.cli.command;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.dataplane.cli.api.GatewayClient;
import io.dataplane.cli.api.RemoteState;
import io.dataplane.cli.plan.Change;
import io.dataplane.cli.plan.EnvState;
import io.dataplane.cli.plan.Plan;
import io.dataplane.cli.plan.PlanFile;
import io.dataplane.cli.plan.PlanText;
import io.dataplane.cli.plan.Planner;
import io.dataplane.cli.plan.Specs;
import io.dataplane.cli.plan.StateObject;
import io.dataplane.cli.project.LocalProject;
import io.dataplane.cli.project.Problem;
import io.dataplane.cli.project.ProjectReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    mixinStandardHelpOptions = true,
    name = "plan",
    description = {
      "Shows what applying the folder would create, change or delete in an environment:"
          + " worker groups, pipeline definitions (a semantic diff of the normalized form), code"
          + " files (by digest), schedules and triggers (with their pinned release), secret"
          + " grants, notification channels and rules, and which pipelines get released.",
      "The secrets the folder names and the releases it pins must exist in the environment.",
      "With --out the plan is saved, with the digest of the remote state it was computed"
          + " against, for 'dataplane apply'."
    })
final class PlanCommand implements Callable<Integer> {

  @ParentCommand DataplaneCommand root;
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "DIR", description = "The folder.")
  Path dir;

  @Option(
      names = {"-e", "--env"},
      defaultValue = "${env:DATAPLANE_ENV}",
      description = "The environment (default: environment.yaml's).")
  String env;

  @Option(names = "--out", paramLabel = "FILE", description = "Save the plan (JSON) to FILE.")
  Path out;

  @Option(
      names = "--detailed-exitcode",
      description = "Exit 2 when the plan has changes (0: none, 1: error).")
  boolean detailedExitcode;

  @Option(
      names = "--max-file-size",
      defaultValue = "10485760",
      description = "Largest code file in bytes (default ${DEFAULT-VALUE}).")
  long maxFileSize;

  @Override
  public Integer call() throws Exception {
    LocalProject p = new ProjectReader(maxFileSize).readFolder(dir);
    List<Problem> problems = new ArrayList<>(p.problems());
    String environment = Checks.environment(p, env, problems);
    if (environment == null && problems.isEmpty()) {
      throw new CliException("which environment? give --env (or environment: in environment.yaml)");
    }
    GatewayClient gw = root.client();
    if (problems.isEmpty()) {
      problems.addAll(Checks.server(gw, p, environment));
    }
    EnvState remote = null;
    if (problems.isEmpty()) {
      remote = RemoteState.read(gw, environment);
      problems.addAll(Checks.remote(gw, p, environment, remote));
    }
    if (!problems.isEmpty()) {
      var err = spec.commandLine().getErr();
      problems.forEach(err::println);
      throw new CliException(problems.size() + " problem(s) in " + dir + ": no plan");
    }
    Plan plan = withContents(Planner.plan(root.server, environment, p.state(), remote));
    if (out != null) {
      PlanFile.write(plan, out);
    }
    var o = spec.commandLine().getOut();
    if (root.json()) {
      root.printJson(o, plan);
    } else {
      PlanText.render(plan).forEach(o::println);
      if (out != null) {
        o.println(
            "Saved to "
                + out
                + " (remote state "
                + plan.remoteDigest()
                + "). Apply it with: dataplane apply "
                + out);
      }
      o.flush();
    }
    return detailedExitcode && !plan.isEmpty() ? ExitCodes.CHANGES : ExitCodes.OK;
  }

  /**
   * The plan with the content of each file it uploads: apply sends exactly what was planned, even
   * when the folder changes in between. A file that changed since it was read is refused.
   */
  static Plan withContents(Plan plan) throws IOException {
    List<Change> changes = new ArrayList<>();
    for (Change c : plan.changes()) {
      if (c.kind().equals(StateObject.FILE) && c.action() != Change.Action.DELETE) {
        byte[] bytes = Files.readAllBytes(Path.of(c.payload().path("localPath").asText()));
        if (!Specs.sha256(bytes).equals(c.spec().path("digest").asText())) {
          throw new CliException(c.name() + " changed while planning: plan again");
        }
        c =
            c.withPayload(
                JsonNodeFactory.instance
                    .objectNode()
                    .put("content", Base64.getEncoder().encodeToString(bytes)));
      }
      changes.add(c);
    }
    return new Plan(
        plan.format(),
        plan.server(),
        plan.environment(),
        plan.createdAt(),
        plan.remoteDigest(),
        plan.remoteObjects(),
        changes,
        plan.releases());
  }
}
