package io.dataplane.cli.command;

import io.dataplane.cli.project.LocalProject;
import io.dataplane.cli.project.Problem;
import io.dataplane.cli.project.ProjectReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    mixinStandardHelpOptions = true,
    name = "validate",
    description = {
      "Checks a pipelines-as-code folder: its layout, YAML syntax, names, file links and sizes"
          + " offline first, then every pipeline definition by the server.",
      "Every problem is printed as FILE:LINE: PATH: MESSAGE (CODE). Exit 1 when there is one."
    })
final class ValidateCommand implements Callable<Integer> {

  @ParentCommand DataplaneCommand root;
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "DIR", description = "The folder (environment.yaml, pipelines/, …).")
  Path dir;

  @Option(
      names = {"-e", "--env"},
      defaultValue = "${env:DATAPLANE_ENV}",
      description =
          "The environment the server checks against (worker groups); default: environment.yaml's.")
  String env;

  @Option(names = "--offline", description = "Only the offline checks: no server call.")
  boolean offline;

  @Option(
      names = "--max-file-size",
      defaultValue = "10485760",
      description = "Largest code file in bytes (default ${DEFAULT-VALUE}, the filestore's).")
  long maxFileSize;

  @Override
  public Integer call() throws Exception {
    LocalProject p = new ProjectReader(maxFileSize).readFolder(dir);
    List<Problem> problems = new ArrayList<>(p.problems());
    String environment = Checks.environment(p, env, problems);
    boolean serverChecked = false;
    if (problems.isEmpty() && !offline) {
      if (environment == null) {
        throw new CliException(
            "the server checks against an environment: give --env (or environment: in"
                + " environment.yaml), or --offline for the offline checks only");
      }
      var gw = root.client();
      problems.addAll(Checks.server(gw, p, environment));
      problems.addAll(
          Checks.remote(
              gw, p, environment, io.dataplane.cli.api.RemoteState.read(gw, environment)));
      serverChecked = true;
    }
    var out = spec.commandLine().getOut();
    if (root.json()) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("valid", problems.isEmpty());
      r.put("serverChecked", serverChecked);
      r.put("errors", problems);
      root.printJson(out, r);
    } else {
      problems.forEach(out::println);
      out.println(
          problems.isEmpty()
              ? "Valid: "
                  + p.pipelines().size()
                  + " pipeline(s)"
                  + (serverChecked ? ", checked by the server in " + environment : " (offline)")
              : problems.size() + " problem(s).");
      out.flush();
    }
    return problems.isEmpty() ? ExitCodes.OK : ExitCodes.ERROR;
  }
}
