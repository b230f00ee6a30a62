package io.dataplane.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.dataplane.cli.api.ApiException;
import io.dataplane.cli.api.Auth;
import io.dataplane.cli.api.CredentialStore;
import io.dataplane.cli.api.GatewayClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

@Command(
    name = "dataplane",
    mixinStandardHelpOptions = true,
    version = "dataplane 0.1.0",
    description = {
      "Pipelines as code for Dataplane: validate a folder, plan what would change in an"
          + " environment, apply exactly that plan; start and follow runs.",
      ""
    },
    subcommands = {
      ValidateCommand.class,
      PlanCommand.class,
      ApplyCommand.class,
      RunCommand.class,
      RunsCommand.class,
      LogsCommand.class,
      PullCommand.class,
      LockCommand.class,
      LoginCommand.class,
      CommandLine.HelpCommand.class
    },
    footer = {
      "",
      "Sign-in: DATAPLANE_API_KEY (an API key, for CI), DATAPLANE_TOKEN (an OIDC access token),"
          + " or the refresh token 'dataplane login' stored.",
      "Exit codes: 0 ok, 1 error (invalid input, refused, drift, failed run),"
          + " 2 plan --detailed-exitcode found changes.",
      "Documentation: docs/cli.md"
    })
public final class DataplaneCommand {

  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Text for people, JSON for scripts. */
  public enum Output {
    text,
    json
  }

  @Option(
      names = "--server",
      scope = ScopeType.INHERIT,
      defaultValue = "${env:DATAPLANE_SERVER:-http://127.0.0.1:8080}",
      description = "The gateway's URL (env DATAPLANE_SERVER; default ${DEFAULT-VALUE}).")
  String server;

  @Option(
      names = {"-o", "--output"},
      scope = ScopeType.INHERIT,
      defaultValue = "text",
      description = "Output format: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
  Output output;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** The command line with the house rules: errors print one line and exit 1. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new DataplaneCommand());
    cl.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          PrintWriter err = cmd.getErr();
          String msg =
              e instanceof CliException || e instanceof ApiException
                  ? e.getMessage()
                  : e instanceof IOException ? e.getMessage() : e.toString();
          Object root = cmd.getCommandSpec().root().userObject();
          if (root instanceof DataplaneCommand d && d.output == Output.json) {
            var o = JSON.createObjectNode().put("error", msg);
            if (e instanceof ApiException a) {
              o.put("code", a.code());
            }
            cmd.getOut().println(o.toPrettyString());
          }
          err.println("error: " + msg);
          err.flush();
          return ExitCodes.ERROR;
        });
    cl.setParameterExceptionHandler(
        (ex, args) -> {
          CommandLine cmd = ex.getCommandLine();
          cmd.getErr().println("error: " + ex.getMessage());
          cmd.getErr().println("(see: " + cmd.getCommandSpec().qualifiedName() + " --help)");
          return ExitCodes.ERROR;
        });
    return cl;
  }

  /** A client of the gateway, signed as the environment or the stored login says. */
  GatewayClient client() throws IOException {
    String key = System.getenv("DATAPLANE_API_KEY");
    if (key != null && !key.isBlank()) {
      return new GatewayClient(URI.create(server), Auth.apiKey(key.strip()));
    }
    String token = System.getenv("DATAPLANE_TOKEN");
    if (token != null && !token.isBlank()) {
      return new GatewayClient(URI.create(server), Auth.bearer(token.strip()));
    }
    String access = CredentialStore.defaultStore().accessToken(server);
    return new GatewayClient(
        URI.create(server), access == null ? Auth.none() : Auth.bearer(access));
  }

  boolean json() {
    return output == Output.json;
  }

  void printJson(PrintWriter out, Object value) {
    try {
      JsonNode n = value instanceof JsonNode j ? j : JSON.valueToTree(value);
      out.println(JSON.writeValueAsString(n));
      out.flush();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
