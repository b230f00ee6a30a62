package io.dataplane.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line's contract without a server: help, exit codes, offline checks, JSON. */
class CommandLineTest {

  @TempDir Path dir;
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  int run(String... args) {
    CommandLine cl = DataplaneCommand.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @Test
  void everyCommandHasHelp() {
    for (String c :
        new String[] {"validate", "plan", "apply", "run", "runs", "logs", "pull", "login"}) {
      assertThat(run(c, "--help")).as(c).isZero();
    }
    assertThat(run("lock", "status", "--help")).isZero();
    assertThat(out.toString()).contains("--detailed-exitcode", "--allow-delete", "--follow");
  }

  @Test
  void aUsageErrorIsExitCode1NotTheChangesCode() {
    assertThat(run("plan")).isEqualTo(1);
    assertThat(err.toString()).contains("Missing required parameter: 'DIR'");
    assertThat(run("frobnicate")).isEqualTo(1);
  }

  @Test
  void offlineValidationPrintsFileLineAndPathAndExits1() throws Exception {
    Files.createDirectories(dir.resolve("pipelines/etl"));
    Files.writeString(dir.resolve("pipelines/etl/pipeline.yaml"), "tasks: []\ntasks: []\n");
    assertThat(run("validate", dir.toString(), "--offline")).isEqualTo(1);
    assertThat(out.toString()).contains("pipelines/etl/pipeline.yaml:2: ", "(SYNTAX)");
  }

  @Test
  void jsonOutputIsOneDocument() throws Exception {
    Files.writeString(dir.resolve("environment.yaml"), "environment: dev\n");
    assertThat(run("-o", "json", "validate", dir.toString(), "--offline", "--env", "prod"))
        .isEqualTo(1);
    var tree = DataplaneCommand.JSON.readTree(out.toString());
    assertThat(tree.path("valid").asBoolean()).isFalse();
    assertThat(tree.path("errors").get(0).path("code").asText()).isEqualTo("WRONG_ENVIRONMENT");
  }

  @Test
  void anErrorFromTheServerSideIsOneLineAndExit1() {
    // nothing listens on port 9: the error names the gateway, exit 1
    assertThat(run("--server", "http://127.0.0.1:9", "runs", "--env", "dev")).isEqualTo(1);
    assertThat(err.toString()).startsWith("error: cannot reach the gateway at http://127.0.0.1:9");
  }

  @Test
  void applyRefusesAPlanForAnotherServer() throws Exception {
    Path plan = dir.resolve("plan.json");
    Files.writeString(
        plan,
        "{\"format\":1,\"server\":\"http://prod.example\",\"environment\":\"prod\",\"remoteDigest\":\"x\","
            + "\"remoteObjects\":{},\"changes\":[],\"releases\":[]}");
    assertThat(run("--server", "http://127.0.0.1:9", "apply", plan.toString(), "--auto-approve"))
        .isEqualTo(1);
    assertThat(err.toString()).contains("the plan is for http://prod.example");
  }
}
