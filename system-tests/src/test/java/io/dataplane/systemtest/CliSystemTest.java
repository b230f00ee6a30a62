package io.dataplane.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.dataplane.demo.GraphQLClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The {@code dataplane} CLI (cli/target/dataplane-cli.jar, as {@code ./dataplane} runs it) against
 * the six packaged services, signed in with an API key as CI would be: the example folder is
 * validated, planned, applied and planned again; drift and unflagged deletes are refused; a run is
 * followed to its result.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliSystemTest {

  static final String ENV = "st-" + UUID.randomUUID().toString().substring(0, 8);
  static final String GROUP = "cli-" + UUID.randomUUID().toString().substring(0, 8);
  static Platform platform;
  static GraphQLClient alice;
  static String apiKey;
  static Path work;
  static Path folder;

  @BeforeAll
  static void start() throws Exception {
    platform = Platform.start(ENV + "/" + GROUP, Map.of());
    alice = platform.graphql("alice");
    alice.execute(
        "mutation($n: String!) { createEnvironment(name: $n) { name } }", Map.of("n", ENV));
    apiKey =
        alice
            .execute(
                "mutation($e: String!) { createApiKey(input: {name: \"ci\", ttlDays: 1, scope: [{environment: $e, permissions: [READ, WRITE, DELETE, EXECUTE, RELEASE]}]}) { key } }",
                Map.of("e", ENV))
            .path("createApiKey")
            .path("key")
            .asText();
    work = Files.createTempDirectory("dp-cli-st");
    folder = work.resolve("dataplane");
    copyExamples(folder);
  }

  @AfterAll
  static void stop() {
    if (platform != null) {
      platform.close();
    }
  }

  /** examples/dataplane, made to name this test's environment and worker group. */
  static void copyExamples(Path to) throws IOException {
    Path from = ServiceProcess.root().resolve("examples/dataplane");
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.sorted().toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          String text = Files.readString(p);
          if (p.getFileName().toString().endsWith(".yaml")) {
            text =
                text.replace("environment: dev", "environment: " + ENV)
                    .replace("name: default", "name: " + GROUP)
                    .replace("workerGroup: default", "workerGroup: " + GROUP);
          }
          Files.writeString(t, text);
        }
      }
    }
  }

  record Result(int code, String out, String err) {
    String all() {
      return out + "\n" + err;
    }
  }

  static Result cli(String... args) throws Exception {
    return finish(launch(args), args);
  }

  /** A CLI process with its stdout and stderr files. */
  record Launched(Process process, Path out, Path err) {}

  static Launched launch(String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-jar");
    cmd.add(ServiceProcess.root().resolve("cli/target/dataplane-cli.jar").toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile());
    pb.environment().put("DATAPLANE_SERVER", platform.url("gateway-service"));
    pb.environment().put("DATAPLANE_API_KEY", apiKey);
    pb.environment().put("DATAPLANE_CONFIG_DIR", work.resolve("config").toString());
    pb.environment().remove("DATAPLANE_TOKEN");
    Path out = Files.createTempFile(work, "out", ".txt");
    Path err = Files.createTempFile(work, "err", ".txt");
    pb.redirectOutput(out.toFile())
        .redirectError(err.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    return new Launched(pb.start(), out, err);
  }

  static Result finish(Launched l, String... args) throws Exception {
    if (!l.process().waitFor(5, TimeUnit.MINUTES)) {
      l.process().destroyForcibly();
      throw new AssertionError("dataplane " + String.join(" ", args) + " did not end");
    }
    return new Result(
        l.process().exitValue(),
        Files.readString(l.out(), StandardCharsets.UTF_8),
        Files.readString(l.err(), StandardCharsets.UTF_8));
  }

  @Test
  @Order(1)
  void validateNamesEveryServerErrorWithFileAndLine() throws Exception {
    Path bad = work.resolve("bad");
    Files.createDirectories(bad.resolve("pipelines/broken"));
    Files.writeString(
        bad.resolve("pipelines/broken/pipeline.yaml"),
        "workerGroup: "
            + GROUP
            + "\ntasks:\n  - key: a\n    runtime: bash\n    script: echo a\n"
            + "  - key: b\n    runtime: ruby\n    dependsOn: [ghost]\n    script: echo b\n");
    Result r = cli("validate", bad.toString(), "--env", ENV);
    assertThat(r.code()).as(r.all()).isEqualTo(1);
    assertThat(r.out())
        .contains("pipelines/broken/pipeline.yaml:7: tasks[1].runtime: ")
        .contains("pipelines/broken/pipeline.yaml:8: tasks[1].dependsOn[0]: ");

    Result json = cli("-o", "json", "validate", bad.toString(), "--env", ENV);
    assertThat(json.code()).isEqualTo(1);
    assertThat(json.out()).contains("\"valid\" : false", "\"line\" : 7");

    Result ok = cli("validate", folder.toString());
    assertThat(ok.code()).as(ok.all()).isZero();
    assertThat(ok.out()).contains("Valid: 2 pipeline(s), checked by the server in " + ENV);
  }

  @Test
  @Order(2)
  void planOnAnEmptyEnvironmentListsEverythingApplyCreatesItAndTheNextPlanIsEmpty()
      throws Exception {
    Result plan = cli("plan", folder.toString(), "--out", "plan.json", "--detailed-exitcode");
    assertThat(plan.code()).as(plan.all()).isEqualTo(2);
    assertThat(plan.out())
        .contains(
            "+ workerGroup " + GROUP,
            "+ pipeline hello-etl",
            "+ pipeline report",
            "+ file hello-etl/etl/transform.py",
            "+ schedule hello-etl-nightly",
            "+ trigger report-after-etl",
            "^ release pipeline hello-etl",
            "Plan: 6 to create, 0 to change, 0 to delete, 2 to release.");

    Result apply = cli("apply", "plan.json", "--auto-approve");
    assertThat(apply.code()).as(apply.all()).isZero();
    assertThat(apply.out()).contains("released hello-etl: ", "Applied 6 change(s)");

    Result again = cli("plan", folder.toString(), "--detailed-exitcode");
    assertThat(again.code()).as(again.all()).isZero();
    assertThat(again.out()).contains("No changes");
    assertThat(
            alice
                .execute(
                    "query($e: String!) { schedules(environment: $e) { name paused timezone } }",
                    Map.of("e", ENV))
                .path("schedules")
                .get(0)
                .path("paused")
                .asBoolean())
        .isTrue();
  }

  @Test
  @Order(3)
  void aChangedFileIsTheOnlyChange() throws Exception {
    Path py = folder.resolve("pipelines/hello-etl/files/etl/transform.py");
    Files.writeString(py, Files.readString(py) + "print('and one more line')\n");
    Result plan = cli("-o", "json", "plan", folder.toString(), "--out", "plan.json");
    assertThat(plan.code()).as(plan.all()).isZero();
    Result text = cli("plan", folder.toString());
    assertThat(text.out())
        .contains("~ file hello-etl/etl/transform.py", "^ release pipeline hello-etl")
        .contains("Plan: 0 to create, 1 to change, 0 to delete, 1 to release.");
    Result apply = cli("apply", "plan.json", "--auto-approve");
    assertThat(apply.code()).as(apply.all()).isZero();
    assertThat(cli("plan", folder.toString(), "--detailed-exitcode").code()).isZero();
  }

  @Test
  @Order(4)
  void driftBetweenPlanAndApplyIsRefusedNamingWhatChanged() throws Exception {
    Path def = folder.resolve("pipelines/report/pipeline.yaml");
    Files.writeString(def, Files.readString(def).replace("report for", "the report for"));
    Result plan = cli("plan", folder.toString(), "--out", "drift.json");
    assertThat(plan.code()).as(plan.all()).isZero();
    assertThat(plan.out()).contains("~ pipeline report", "tasks[key=report].script");
    // someone changes the environment by hand between plan and apply
    alice.execute(
        "mutation($e: String!, $d: String!) { savePipeline(environment: $e, name: \"report\", definition: $d) { name } }",
        Map.of(
            "e",
            ENV,
            "d",
            "workerGroup: "
                + GROUP
                + "\ntasks:\n  - {key: hand, runtime: bash, script: echo hand}\n"));
    Result apply = cli("apply", "drift.json", "--auto-approve");
    assertThat(apply.code()).as(apply.all()).isEqualTo(1);
    assertThat(apply.err())
        .contains("changed since the plan was made (drift)")
        .contains("pipeline/report changed");
    // nothing of the plan was applied
    assertThat(
            alice
                .execute(
                    "query($e: String!) { pipeline(environment: $e, name: \"report\") { source } }",
                    Map.of("e", ENV))
                .path("pipeline")
                .path("source")
                .asText())
        .contains("key: hand");
    Result fresh = cli("plan", folder.toString(), "--out", "plan.json");
    assertThat(cli("apply", "plan.json", "--auto-approve").code()).isZero();
    assertThat(fresh.code()).isZero();
  }

  @Test
  @Order(5)
  void deletingNeedsAllowDelete() throws Exception {
    Files.delete(folder.resolve("schedules/hello-etl-nightly.yaml"));
    Result plan = cli("plan", folder.toString(), "--out", "delete.json");
    assertThat(plan.out()).contains("- schedule hello-etl-nightly");
    Result refused = cli("apply", "delete.json", "--auto-approve");
    assertThat(refused.code()).as(refused.all()).isEqualTo(1);
    assertThat(refused.err()).contains("schedule/hello-etl-nightly", "--allow-delete");
    assertThat(
            alice
                .execute(
                    "query($e: String!) { schedules(environment: $e) { name } }", Map.of("e", ENV))
                .path("schedules")
                .size())
        .isEqualTo(1);
    Result applied = cli("apply", "delete.json", "--auto-approve", "--allow-delete");
    assertThat(applied.code()).as(applied.all()).isZero();
    assertThat(
            alice
                .execute(
                    "query($e: String!) { schedules(environment: $e) { name } }", Map.of("e", ENV))
                .path("schedules")
                .size())
        .isZero();
  }

  @Test
  @Order(6)
  void runFollowStreamsTheLogsAndExitsWithTheRunsResult() throws Exception {
    Result ok = cli("run", "hello-etl", "--env", ENV, "--param", "day=2026-12-07", "--follow");
    assertThat(ok.code()).as(ok.all()).isZero();
    assertThat(ok.out())
        .contains("extracting 2026-12-07", "transforming the rows of 2026-12-07", "SUCCEEDED");

    alice.execute(
        "mutation($e: String!, $d: String!) { savePipeline(environment: $e, name: \"fails\", definition: $d) { name } }",
        Map.of(
            "e",
            ENV,
            "d",
            "workerGroup: "
                + GROUP
                + "\ntasks:\n  - {key: boom, runtime: bash, script: 'echo going down; exit 3'}\n"));
    alice.execute(
        "mutation($e: String!) { releasePipeline(environment: $e, pipeline: \"fails\") { id } }",
        Map.of("e", ENV));
    Result failed = cli("run", "fails", "--env", ENV, "--follow");
    assertThat(failed.code()).as(failed.all()).isEqualTo(1);
    assertThat(failed.out()).contains("going down", "FAILED");

    String runId = cli("-o", "json", "runs", "--env", ENV, "--pipeline", "hello-etl").out();
    assertThat(runId).contains("SUCCEEDED");
    String id = runId.replaceAll("(?s).*?\"id\" : \"([^\"]+)\".*", "$1");
    Result logs = cli("logs", id, "transform");
    assertThat(logs.code()).as(logs.all()).isZero();
    assertThat(logs.out()).contains("transform #1 | transforming the rows of 2026-12-07");
  }

  @Test
  @Order(7)
  void pullExportsWhatPlansAsNoChange() throws Exception {
    alice.execute(
        "mutation($e: String!) { deletePipeline(environment: $e, name: \"fails\") }",
        Map.of("e", ENV));
    Path pulled = work.resolve("pulled");
    Result pull = cli("pull", "--env", ENV, pulled.toString());
    assertThat(pull.code()).as(pull.all()).isZero();
    assertThat(pulled.resolve("pipelines/hello-etl/files/etl/transform.py"))
        .hasSameTextualContentAs(folder.resolve("pipelines/hello-etl/files/etl/transform.py"));
    Result plan = cli("plan", pulled.toString(), "--env", ENV, "--detailed-exitcode");
    assertThat(plan.code()).as(plan.all()).isZero();
    Result again = cli("pull", "--env", ENV, pulled.toString());
    assertThat(again.code()).isEqualTo(1);
    assertThat(again.err()).contains("is not empty");
  }

  @Test
  @Order(8)
  void hostileFoldersAreRefusedBeforeAnythingIsSent() throws Exception {
    Path evil = work.resolve("evil");
    copyExamples(evil);
    Files.createSymbolicLink(
        evil.resolve("pipelines/hello-etl/files/passwd"), Path.of("/etc/passwd"));
    Result link = cli("plan", evil.toString(), "--out", "evil.json");
    assertThat(link.code()).isEqualTo(1);
    assertThat(link.err()).contains("pipelines/hello-etl/files/passwd", "SYMLINK_ESCAPES");
    assertThat(evil.getParent().resolve("evil.json")).doesNotExist();
    Files.delete(evil.resolve("pipelines/hello-etl/files/passwd"));

    Result other = cli("plan", evil.toString(), "--env", "prod");
    assertThat(other.code()).isEqualTo(1);
    assertThat(other.err()).contains("this folder is for environment '" + ENV + "', not 'prod'");

    Files.writeString(evil.resolve("pipelines/report/pipeline.yaml"), "tasks:\n  - key: [\n");
    Result yaml = cli("validate", evil.toString());
    assertThat(yaml.code()).isEqualTo(1);
    assertThat(yaml.out()).contains("pipelines/report/pipeline.yaml:", "(SYNTAX)");

    Files.writeString(work.resolve("garbage.json"), "{\"format\": 1, \"environment\": ");
    Result garbage = cli("apply", "garbage.json", "--auto-approve");
    assertThat(garbage.code()).isEqualTo(1);
    assertThat(garbage.err()).contains("is not a plan file");
  }

  @Test
  @Order(9)
  void anApplyWaitsForTheEnvironmentsLockAndLockStatusShowsTheHolder() throws Exception {
    Path def = folder.resolve("pipelines/report/pipeline.yaml");
    Files.writeString(def, Files.readString(def).replace("the report for", "a report for"));
    assertThat(cli("plan", folder.toString(), "--out", "locked.json").code()).isZero();
    String token =
        alice
            .execute(
                "mutation($e: String!) { acquireApplyLock(environment: $e, holder: \"a release job\", ttlSeconds: 120) { token } }",
                Map.of("e", ENV))
            .path("acquireApplyLock")
            .path("token")
            .asText();

    Result status = cli("lock", "status", "--env", ENV);
    assertThat(status.out()).contains("is held by alice (a release job)", "until ");
    Result refused = cli("apply", "locked.json", "--auto-approve");
    assertThat(refused.code()).as(refused.all()).isEqualTo(1);
    assertThat(refused.err()).contains("held by alice (a release job) until");

    Launched waiting = launch("apply", "locked.json", "--auto-approve", "--lock-timeout", "120");
    org.awaitility.Awaitility.await("the second apply waits for the lock")
        .atMost(java.time.Duration.ofSeconds(60))
        .until(() -> Files.readString(waiting.err()).contains("waiting for it"));
    assertThat(waiting.process().isAlive()).isTrue();
    alice.execute(
        "mutation($e: String!, $t: String!) { releaseApplyLock(environment: $e, token: $t) }",
        Map.of("e", ENV, "t", token));
    Result applied = finish(waiting, "apply");
    assertThat(applied.code()).as(applied.all()).isZero();
    assertThat(applied.out()).contains("released report");
    assertThat(cli("lock", "status", "--env", ENV).out()).contains("is free");
  }

  static void deleteTree(Path p) throws IOException {
    try (Stream<Path> s = Files.walk(p)) {
      s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }
}
