package io.dataplane.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.dataplane.demo.GraphQLClient;
import java.io.IOException;
import java.net.CookieHandler;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
  static final String KEYCLOAK = "http://127.0.0.1:8180/realms/dataplane";
  static Platform platform;
  static GraphQLClient alice;
  static String apiKey;
  static Path work;
  static Path folder;

  @BeforeAll
  static void start() throws Exception {
    // dev/default: the environment and group of docs/cli.md's walk-through
    platform = Platform.start(ENV + "/" + GROUP + ",dev/default", Map.of());
    alice = platform.graphql("alice");
    alice.execute(
        "mutation($n: String!) { createEnvironment(name: $n) { name } }", Map.of("n", ENV));
    apiKey =
        alice
            .execute(
                "mutation($e: String!) { createApiKey(input: {name: \"ci\", ttlDays: 1, scope: [{environment: $e, permissions: [READ, WRITE, DELETE, EXECUTE, RELEASE, SECRETS]}]}) { key } }",
                Map.of("e", ENV))
            .path("createApiKey")
            .path("key")
            .asText();
    // the secrets the example folder names: their values are set outside the folder
    for (String secret : List.of("WAREHOUSE_TOKEN", "NOTIFY_SLACK_TEAM")) {
      alice.execute(
          "mutation($e: String!, $n: String!) { setSecret(environment: $e, name: $n, value: \"https://hooks.slack.example/x\") { name } }",
          Map.of("e", ENV, "n", secret));
    }
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
    return launch(work.resolve("config"), true, args);
  }

  /** A person's CLI: no API key, the sign-in stored by dataplane login in {@code config}. */
  static Launched person(Path config, String... args) throws IOException {
    return launch(config, false, args);
  }

  static Launched launch(Path config, boolean withApiKey, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-jar");
    cmd.add(ServiceProcess.root().resolve("cli/target/dataplane-cli.jar").toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile());
    pb.environment().put("DATAPLANE_SERVER", platform.url("gateway-service"));
    if (withApiKey) {
      pb.environment().put("DATAPLANE_API_KEY", apiKey);
    } else {
      pb.environment().remove("DATAPLANE_API_KEY");
    }
    pb.environment().put("DATAPLANE_CONFIG_DIR", config.toString());
    pb.environment().remove("DATAPLANE_TOKEN");
    pb.environment().remove("DATAPLANE_OIDC_CLIENT_ID");
    pb.environment().put("DATAPLANE_OIDC_ISSUER", KEYCLOAK);
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
            "+ secretGrants WAREHOUSE_TOKEN  (+ pipeline hello-etl)",
            "+ notificationChannel team-slack  (SLACK, secret NOTIFY_SLACK_TEAM)",
            "+ notificationRule etl-failures  (RUN_FAILED of hello-etl -> team-slack)",
            "^ release pipeline hello-etl",
            "Plan: 9 to create, 0 to change, 0 to delete, 2 to release.");
    assertThat(plan.out()).doesNotContain("- workerGroup default");
    assertThat(Files.readString(work.resolve("plan.json"))).doesNotContain("hooks.slack.example");

    Result apply = cli("apply", "plan.json", "--auto-approve");
    assertThat(apply.code()).as(apply.all()).isZero();
    assertThat(apply.out()).contains("released hello-etl: ", "Applied 9 change(s)");
    assertThat(
            alice
                .execute(
                    "query($e: String!) { secret(environment: $e, name: \"WAREHOUSE_TOKEN\") { grants { pipelines } } }",
                    Map.of("e", ENV))
                .path("secret")
                .path("grants")
                .path("pipelines")
                .toString())
        .isEqualTo("[\"hello-etl\"]");
    var rule =
        alice.execute(
            "query($e: String!) { notificationRules(environment: $e) { name channelId pipeline events quietPeriodSeconds } notificationChannels(environment: $e) { id name kind secretName } }",
            Map.of("e", ENV));
    assertThat(rule.path("notificationRules").get(0).path("channelId").asText())
        .isEqualTo(rule.path("notificationChannels").get(0).path("id").asText());
    assertThat(rule.path("notificationRules").get(0).path("quietPeriodSeconds").asInt())
        .isEqualTo(1800);

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

  @Test
  @Order(10)
  void grantsAndRulesChangeByPlanAndASecretThatDoesNotExistIsAPlanError() throws Exception {
    Path env = folder.resolve("environment.yaml");
    String text = Files.readString(env);
    Files.writeString(
        env,
        text.replace("pipelines: [hello-etl]", "pipelines: [hello-etl, report]")
            .replace("events: [RUN_FAILED]", "events: [RUN_FAILED, RUN_SUCCEEDED]"));
    Result plan = cli("plan", folder.toString(), "--out", "grants.json");
    assertThat(plan.code()).as(plan.all()).isZero();
    assertThat(plan.out())
        .contains(
            "~ secretGrants WAREHOUSE_TOKEN",
            "+ pipeline report",
            "~ notificationRule etl-failures",
            "Plan: 0 to create, 2 to change, 0 to delete, 0 to release.");
    Result apply = cli("apply", "grants.json", "--auto-approve");
    assertThat(apply.code()).as(apply.all()).isZero();
    assertThat(cli("plan", folder.toString(), "--detailed-exitcode").code()).isZero();

    String good = Files.readString(env);
    Files.writeString(
        env,
        good.replace("secrets:\n", "secrets:\n  - name: NOT_THERE\n    pipelines: [report]\n"));
    Result missing = cli("plan", folder.toString(), "--out", "missing.json");
    assertThat(missing.code()).as(missing.all()).isEqualTo(1);
    assertThat(missing.err())
        .contains(
            "environment.yaml:9: secret 'NOT_THERE' does not exist in environment "
                + ENV
                + ": create it with setSecret first",
            "(UNKNOWN_SECRET)");
    assertThat(work.resolve("missing.json")).doesNotExist();
    Files.writeString(env, good);
  }

  @Test
  @Order(11)
  void aPinnedReleaseIsPlannedAppliedPulledAndAPinToNoReleaseIsRefused() throws Exception {
    Path trigger = folder.resolve("triggers/report-after-etl.yaml");
    String text = Files.readString(trigger);
    Files.writeString(trigger, text + "release: 1\n");
    Result plan = cli("plan", folder.toString(), "--out", "pin.json");
    assertThat(plan.code()).as(plan.all()).isZero();
    assertThat(plan.out()).contains("~ trigger report-after-etl", "+ release: 1");
    Result apply = cli("apply", "pin.json", "--auto-approve");
    assertThat(apply.code()).as(apply.all()).isZero();
    var releases =
        alice.execute(
            "query($e: String!) { releases(environment: $e, pipeline: \"report\") { id } triggers(environment: $e) { name releaseId releaseMode } }",
            Map.of("e", ENV));
    int count = releases.path("releases").size();
    assertThat(count).isGreaterThan(1);
    assertThat(releases.path("triggers").get(0).path("releaseId").asText())
        .isEqualTo(releases.path("releases").get(count - 1).path("id").asText());
    assertThat(cli("plan", folder.toString(), "--detailed-exitcode").code()).isZero();

    Path pulled = work.resolve("pulled-pin");
    assertThat(cli("pull", "--env", ENV, pulled.toString()).code()).isZero();
    assertThat(Files.readString(pulled.resolve("triggers/report-after-etl.yaml")))
        .contains("release: 1");
    assertThat(Files.readString(pulled.resolve("environment.yaml")))
        .contains("WAREHOUSE_TOKEN", "team-slack", "NOTIFY_SLACK_TEAM", "etl-failures")
        .doesNotContain("hooks.slack.example");

    Files.writeString(trigger, text + "release: 99\n");
    Result none = cli("plan", folder.toString());
    assertThat(none.code()).as(none.all()).isEqualTo(1);
    assertThat(none.err())
        .contains(
            "triggers/report-after-etl.yaml:5: release: pipeline 'report' has "
                + count
                + " release(s) in "
                + ENV
                + ", not release 99",
            "(UNKNOWN_RELEASE)");
    Files.writeString(trigger, text);
  }

  @Test
  @Order(12)
  void workerGroupsAreUpdatedAndDeletedAndTheServersRefusalIsShown() throws Exception {
    Path env = folder.resolve("environment.yaml");
    String text = Files.readString(env);
    Files.writeString(
        env,
        text.replace(
            "workerGroups:\n", "workerGroups:\n  - name: spare\n    description: for the night\n"));
    Path stuck = folder.resolve("pipelines/stuck/pipeline.yaml");
    Files.createDirectories(stuck.getParent());
    Files.writeString(
        stuck, "workerGroup: spare\ntasks:\n  - {key: wait, runtime: bash, script: echo never}\n");
    assertThat(cli("plan", folder.toString(), "--out", "spare.json").out())
        .contains("+ workerGroup spare  (for the night)", "+ pipeline stuck");
    assertThat(cli("apply", "spare.json", "--auto-approve").code()).isZero();

    Files.writeString(env, Files.readString(env).replace("for the night", "for nightly jobs"));
    Result changed = cli("plan", folder.toString(), "--out", "spare.json");
    assertThat(changed.out())
        .contains(
            "~ workerGroup spare",
            "~ description: \"for the night\" -> \"for nightly jobs\"",
            "Plan: 0 to create, 1 to change, 0 to delete, 0 to release.");
    assertThat(cli("apply", "spare.json", "--auto-approve").code()).isZero();

    // a run waits in spare (no worker serves it) while the folder drops the group
    String runId =
        alice
            .execute(
                "mutation($e: String!) { startRun(environment: $e, pipeline: \"stuck\") { id } }",
                Map.of("e", ENV))
            .path("startRun")
            .path("id")
            .asText();
    Files.writeString(
        stuck,
        "workerGroup: " + GROUP + "\ntasks:\n  - {key: wait, runtime: bash, script: echo never}\n");
    Files.writeString(env, text);
    Result plan = cli("plan", folder.toString(), "--out", "drop.json");
    assertThat(plan.out()).contains("~ pipeline stuck", "- workerGroup spare");
    Result refused = cli("apply", "drop.json", "--auto-approve");
    assertThat(refused.code()).as(refused.all()).isEqualTo(1);
    assertThat(refused.err()).contains("workerGroup/spare", "--allow-delete");

    Result conflict = cli("apply", "drop.json", "--auto-approve", "--allow-delete");
    assertThat(conflict.code()).as(conflict.all()).isEqualTo(1);
    assertThat(conflict.err())
        .contains(
            "DELETE workerGroup/spare refused by the server (CONFLICT): worker group 'spare' has"
                + " tasks of unfinished runs: "
                + runId);
    assertThat(conflict.out()).contains("released stuck");

    alice.execute("mutation($id: String!) { cancelRun(id: $id) { id } }", Map.of("id", runId));
    org.awaitility.Awaitility.await("the run is cancelled")
        .atMost(java.time.Duration.ofSeconds(60))
        .until(
            () ->
                alice
                    .execute("query($id: String!) { run(id: $id) { state } }", Map.of("id", runId))
                    .path("run")
                    .path("state")
                    .asText()
                    .equals("CANCELLED"));
    Result again = cli("plan", folder.toString(), "--out", "drop.json");
    assertThat(again.out())
        .contains(
            "- workerGroup spare", "Plan: 0 to create, 0 to change, 1 to delete, 0 to release.");
    Result deleted = cli("apply", "drop.json", "--auto-approve", "--allow-delete");
    assertThat(deleted.code()).as(deleted.all()).isZero();
    assertThat(
            alice
                .execute(
                    "query($e: String!) { workerGroups(environment: $e) { name } }",
                    Map.of("e", ENV))
                .path("workerGroups")
                .toString())
        .doesNotContain("spare");
  }

  /** A browser without a browser: cookies, redirects, and Keycloak's forms filled in. */
  static HttpClient browser() {
    return HttpClient.newBuilder()
        .cookieHandler(loopbackCookies())
        .followRedirects(HttpClient.Redirect.NORMAL)
        .connectTimeout(Duration.ofSeconds(10))
        .build();
  }

  /**
   * A cookie jar as a browser keeps it for 127.0.0.1: browsers treat a loopback address as a secure
   * context and send Keycloak's {@code Secure} cookies over http; java.net's CookieManager does
   * not, so this jar keeps name=value per cookie and sends them all back.
   */
  static CookieHandler loopbackCookies() {
    Map<String, String> jar = new java.util.concurrent.ConcurrentHashMap<>();
    return new CookieHandler() {
      @Override
      public Map<String, List<String>> get(URI uri, Map<String, List<String>> headers) {
        if (jar.isEmpty()) {
          return Map.of();
        }
        List<String> pairs = new ArrayList<>();
        jar.forEach((k, v) -> pairs.add(k + "=" + v));
        return Map.of("Cookie", List.of(String.join("; ", pairs)));
      }

      @Override
      public void put(URI uri, Map<String, List<String>> headers) {
        headers.forEach(
            (name, values) -> {
              if (name == null || !name.equalsIgnoreCase("Set-Cookie")) {
                return;
              }
              for (String v : values) {
                String pair = v.split(";", 2)[0];
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                  continue;
                }
                String k = pair.substring(0, eq).strip();
                String value = pair.substring(eq + 1).strip();
                if (value.isEmpty() || v.matches("(?i).*;\\s*Max-Age=0(;.*)?")) {
                  jar.remove(k);
                } else {
                  jar.put(k, value);
                }
              }
            });
      }
    };
  }

  static HttpResponse<String> get(HttpClient b, String url) throws Exception {
    return b.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> post(HttpClient b, URI url, Map<String, String> form)
      throws Exception {
    StringBuilder body = new StringBuilder();
    form.forEach(
        (k, v) ->
            body.append(body.isEmpty() ? "" : "&")
                .append(URLEncoder.encode(k, StandardCharsets.UTF_8))
                .append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return b.send(
        HttpRequest.newBuilder(url)
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The action of the HTML form whose tag matches {@code marker}, resolved against the page. */
  static URI formAction(HttpResponse<String> page, String marker) {
    Matcher m =
        Pattern.compile(
                "<form[^>]*" + marker + "[^>]*>|<form[^>]*action=\"[^\"]*" + marker + "[^>]*>")
            .matcher(page.body());
    assertThat(m.find()).as("a form (" + marker + ") in " + page.uri()).isTrue();
    Matcher a = Pattern.compile("action=\"([^\"]+)\"").matcher(m.group());
    assertThat(a.find()).isTrue();
    return page.uri().resolve(a.group(1).replace("&amp;", "&"));
  }

  /**
   * Signs {@code user} in on Keycloak's pages from {@code url} on: the login form, then the consent
   * form when Keycloak asks; the last page (after every redirect) is returned.
   */
  static HttpResponse<String> signIn(HttpClient b, String url, String user) throws Exception {
    HttpResponse<String> login = get(b, url);
    HttpResponse<String> r =
        post(
            b,
            formAction(login, "kc-form-login"),
            Map.of("username", user, "password", user, "credentialId", ""));
    if (r.body().contains("login-actions/consent")) {
      Matcher code = Pattern.compile("name=\"code\" value=\"([^\"]+)\"").matcher(r.body());
      assertThat(code.find()).isTrue();
      r =
          post(
              b,
              formAction(r, "login-actions/consent"),
              Map.of("code", code.group(1), "accept", "Yes"));
    }
    return r;
  }

  static String printedUrl(Launched l) throws Exception {
    org.awaitility.Awaitility.await("the CLI prints the sign-in address")
        .atMost(Duration.ofSeconds(60))
        .until(() -> Files.readString(l.err()).contains("Open http"));
    Matcher m = Pattern.compile("Open (http\\S+)").matcher(Files.readString(l.err()));
    assertThat(m.find()).isTrue();
    return m.group(1);
  }

  static String mode(Path f) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(f));
  }

  @Test
  @Order(13)
  void loginWithTheDeviceFlowStoresA0600TokenAndARevokedOneSaysLogInAgain() throws Exception {
    Path config = work.resolve("device-config");
    Launched login = person(config, "login", "--device");
    String url = printedUrl(login);
    assertThat(url).startsWith(KEYCLOAK + "/device");
    HttpResponse<String> page = signIn(browser(), url, "alice");
    assertThat(page.statusCode()).isEqualTo(200);
    Result done = finish(login, "login");
    assertThat(done.code()).as(done.all()).isZero();
    assertThat(done.out()).contains("Signed in to " + platform.url("gateway-service"), "as alice");
    Path stored = config.resolve("credentials.json");
    assertThat(mode(stored)).isEqualTo("rw-------");
    assertThat(mode(config)).isEqualTo("rwx------");

    Result runs = finish(person(config, "runs", "--env", ENV, "--pipeline", "hello-etl"), "runs");
    assertThat(runs.code()).as(runs.all()).isZero();
    assertThat(runs.out()).contains("SUCCEEDED");

    // the refresh token is revoked at the provider (signed out elsewhere, or by an admin)
    String refresh =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(stored.toFile())
            .path(platform.url("gateway-service"))
            .path("refreshToken")
            .asText();
    HttpResponse<String> revoked =
        post(
            browser(),
            URI.create(KEYCLOAK + "/protocol/openid-connect/revoke"),
            Map.of(
                "client_id",
                "dataplane-cli-device",
                "token",
                refresh,
                "token_type_hint",
                "refresh_token"));
    assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
    Result after = finish(person(config, "runs", "--env", ENV), "runs");
    assertThat(after.code()).as(after.all()).isEqualTo(1);
    assertThat(after.err()).contains("is no longer valid", "run dataplane login again");
  }

  @Test
  @Order(14)
  void loginWithTheBrowserRefusesAForeignStateAndAnExpiredTokenSaysLogInAgain() throws Exception {
    Path config = work.resolve("browser-config");
    Launched login = person(config, "login", "--browser", "--no-open");
    String url = printedUrl(login);
    assertThat(url)
        .startsWith(KEYCLOAK + "/protocol/openid-connect/auth?")
        .contains("code_challenge_method=S256", "client_id=dataplane-cli&");
    String redirect =
        URLDecoder.decode(
            url.replaceAll(".*[?&]redirect_uri=([^&]+).*", "$1"), StandardCharsets.UTF_8);
    assertThat(redirect).matches("http://127\\.0\\.0\\.1:\\d+/callback");

    // a page that is not this login's sends its own code: refused, the login goes on waiting
    HttpResponse<String> forged = get(browser(), redirect + "?state=forged&code=stolen");
    assertThat(forged.statusCode()).isEqualTo(400);
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> Files.readString(login.err()).contains("wrong state"));
    assertThat(login.process().isAlive()).isTrue();
    assertThat(config.resolve("credentials.json")).doesNotExist();

    // Keycloak's login form, then its redirect to the CLI's loopback address
    HttpResponse<String> back = signIn(browser(), url, "alice");
    assertThat(back.uri().toString()).startsWith(redirect);
    assertThat(back.statusCode()).isEqualTo(200);
    assertThat(back.body()).contains("Signed in to dataplane");
    Result done = finish(login, "login");
    assertThat(done.code()).as(done.all()).isZero();
    Path stored = config.resolve("credentials.json");
    assertThat(mode(stored)).isEqualTo("rw-------");
    Result runs = finish(person(config, "runs", "--env", ENV), "runs");
    assertThat(runs.code()).as(runs.all()).isZero();

    // a refresh token the provider no longer knows (expired)
    Files.writeString(
        stored,
        Files.readString(stored)
            .replaceAll("\"refreshToken\" : \"[^\"]+\"", "\"refreshToken\" : \"eyJexpired\""));
    Result expired = finish(person(config, "runs", "--env", ENV), "runs");
    assertThat(expired.code()).as(expired.all()).isEqualTo(1);
    assertThat(expired.err()).contains("run dataplane login again");
    assertThat(mode(stored)).isEqualTo("rw-------");
  }

  /**
   * The walk-through of docs/cli.md, its bash block run as written (against this platform's gateway
   * instead of 127.0.0.1:8080, and with --auto-approve where it asks a person for "yes"): what a
   * newcomer types works.
   */
  @Test
  @Order(15)
  void theWalkThroughOfTheDocsRunsAsWritten() throws Exception {
    Path root = ServiceProcess.root();
    String doc = Files.readString(root.resolve("docs/cli.md"));
    Matcher block =
        Pattern.compile("## Walk-through[^\\n]*\\n.*?```bash\\n(.*?)```", Pattern.DOTALL)
            .matcher(doc);
    assertThat(block.find()).isTrue();
    String gateway = platform.url("gateway-service");
    String script =
        block
            .group(1)
            .replace("http://127.0.0.1:8080", gateway)
            .replace("./dataplane apply plan.json", "./dataplane apply plan.json --auto-approve");
    assertThat(script).contains("./dataplane plan examples/dataplane", "--follow");
    // a copy of the checkout's entry points, so that plan.json lands outside the checkout
    Path cwd = Files.createDirectories(work.resolve("newcomer"));
    for (String f : List.of("dataplane", "examples", "cli", "mvnw", ".mvn", "pom.xml")) {
      Files.createSymbolicLink(cwd.resolve(f), root.resolve(f));
    }
    ProcessBuilder pb =
        new ProcessBuilder("bash", "-euo", "pipefail", "-c", script).directory(cwd.toFile());
    pb.environment().put("DATAPLANE_SERVER", gateway);
    pb.environment().put("DATAPLANE_CONFIG_DIR", work.resolve("newcomer-config").toString());
    pb.environment().remove("DATAPLANE_API_KEY");
    pb.environment().remove("DATAPLANE_TOKEN");
    pb.environment().remove("DATAPLANE_ENV");
    Path out = work.resolve("newcomer.out");
    pb.redirectErrorStream(true).redirectOutput(out.toFile());
    Process p = pb.start();
    assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
    String text = Files.readString(out);
    assertThat(p.exitValue()).as(text).isZero();
    assertThat(text)
        .contains(
            "Valid: 2 pipeline(s), checked by the server in dev",
            "+ pipeline hello-etl",
            "+ notificationChannel team-slack",
            "No changes",
            "extracting 2026-12-07",
            "transforming the rows of 2026-12-07",
            "transform #1 | transforming the rows of 2026-12-07");
  }

  static void deleteTree(Path p) throws IOException {
    try (Stream<Path> s = Files.walk(p)) {
      s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }
}
