package io.dataplane.cli.command;

import io.dataplane.cli.api.Applier;
import io.dataplane.cli.api.GatewayClient;
import io.dataplane.cli.api.RemoteState;
import io.dataplane.cli.plan.Change;
import io.dataplane.cli.plan.EnvState;
import io.dataplane.cli.plan.Plan;
import io.dataplane.cli.plan.PlanFile;
import io.dataplane.cli.plan.PlanText;
import io.dataplane.cli.plan.Planner;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
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
    name = "apply",
    description = {
      "Applies exactly a saved plan, then releases the pipelines it changed.",
      "Refuses when the environment changed since the plan (drift), naming what changed; deleting"
          + " needs --allow-delete; asks for confirmation unless --auto-approve.",
      "Holds the environment's apply lock while it works: a second apply waits or is refused."
    })
final class ApplyCommand implements Callable<Integer> {

  @ParentCommand DataplaneCommand root;
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "PLAN", description = "The plan file ('dataplane plan --out').")
  Path planFile;

  @Option(names = "--auto-approve", description = "Apply without asking (CI).")
  boolean autoApprove;

  @Option(names = "--allow-delete", description = "Allow the plan's deletions.")
  boolean allowDelete;

  @Option(
      names = "--lock-timeout",
      defaultValue = "0",
      description =
          "Seconds to wait for another apply's lock on the environment (default ${DEFAULT-VALUE}:"
              + " refuse at once).")
  int lockTimeout;

  @Override
  public Integer call() throws Exception {
    Plan plan = PlanFile.read(planFile);
    if (!strip(plan.server()).equals(strip(root.server))) {
      throw new CliException(
          "the plan is for " + plan.server() + ", not " + root.server + " (--server): refused");
    }
    var out = spec.commandLine().getOut();
    List<String> log = new ArrayList<>();
    GatewayClient gw = root.client();
    if (!plan.isEmpty()) {
      List<Change> deletes = plan.deletes();
      if (!deletes.isEmpty() && !allowDelete) {
        throw new CliException(
            "the plan deletes "
                + String.join(", ", deletes.stream().map(Change::key).toList())
                + ": pass --allow-delete to apply it");
      }
    }
    try (ApplyLock lock =
        ApplyLock.acquire(gw, plan.environment(), lockTimeout, spec.commandLine().getErr())) {
      EnvState now = RemoteState.read(gw, plan.environment());
      List<String> drift = Planner.drift(plan.remoteObjects(), now.digests());
      if (!drift.isEmpty()) {
        throw new CliException(
            "environment "
                + plan.environment()
                + " changed since the plan was made (drift), refused:\n  "
                + String.join("\n  ", drift)
                + "\nRun dataplane plan again.");
      }
      if (plan.isEmpty()) {
        return done(out, plan, Map.of(), log);
      }
      if (!autoApprove && !confirm(plan)) {
        throw new CliException("not applied: confirmation was not 'yes'");
      }
      Map<String, String> released =
          new Applier(
                  gw,
                  line -> {
                    log.add(line);
                    if (!root.json()) {
                      out.println(line);
                      out.flush();
                    }
                  })
              .apply(plan);
      return done(out, plan, released, log);
    }
  }

  private int done(
      java.io.PrintWriter out, Plan plan, Map<String, String> released, List<String> log) {
    if (root.json()) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("environment", plan.environment());
      r.put("applied", plan.changes().size());
      r.put("released", released);
      r.put("log", log);
      root.printJson(out, r);
    } else {
      out.println(
          plan.isEmpty()
              ? "No changes: nothing to apply."
              : "Applied "
                  + plan.changes().size()
                  + " change(s), released "
                  + released.size()
                  + " pipeline(s).");
      out.flush();
    }
    return ExitCodes.OK;
  }

  private boolean confirm(Plan plan) throws java.io.IOException {
    if (System.console() == null) {
      throw new CliException(
          "apply asks for confirmation in a terminal: pass --auto-approve to apply without asking");
    }
    var out = spec.commandLine().getOut();
    PlanText.render(plan).forEach(out::println);
    out.print("Apply these changes? Only 'yes' applies: ");
    out.flush();
    String answer =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    return "yes".equals(answer == null ? null : answer.strip());
  }

  private static String strip(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}
