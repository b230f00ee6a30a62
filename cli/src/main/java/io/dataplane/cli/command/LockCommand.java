package io.dataplane.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "lock",
    mixinStandardHelpOptions = true,
    description =
        "The apply lock of an environment: 'dataplane apply' holds it while it works, so that two"
            + " applies to one environment never interleave.",
    subcommands = {LockCommand.Status.class})
final class LockCommand {

  @ParentCommand DataplaneCommand root;

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = "Who holds the environment's apply lock, since and until when.")
  static final class Status implements Callable<Integer> {

    @ParentCommand LockCommand lock;
    @Spec CommandSpec spec;

    @Mixin EnvOption envOption;

    @Override
    public Integer call() throws Exception {
      DataplaneCommand root = lock.root;
      JsonNode l =
          root.client()
              .graphql(
                  "query($e: String!) { applyLock(environment: $e) { environment owner holder acquiredAt expiresAt } }",
                  Map.of("e", envOption.env))
              .path("applyLock");
      PrintWriter out = spec.commandLine().getOut();
      if (root.json()) {
        root.printJson(out, l.isMissingNode() ? null : l);
      } else if (l.isNull() || l.isMissingNode()) {
        out.println("The apply lock of " + envOption.env + " is free.");
      } else {
        out.println(
            "The apply lock of "
                + envOption.env
                + " is held by "
                + l.path("owner").asText()
                + (l.hasNonNull("holder") ? " (" + l.path("holder").asText() + ")" : "")
                + " since "
                + l.path("acquiredAt").asText()
                + ", until "
                + l.path("expiresAt").asText()
                + ".");
      }
      out.flush();
      return ExitCodes.OK;
    }
  }
}
