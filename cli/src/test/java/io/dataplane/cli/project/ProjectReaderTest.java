package io.dataplane.cli.project;

import static org.assertj.core.api.Assertions.assertThat;

import io.dataplane.cli.plan.StateObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProjectReaderTest {

  @TempDir Path dir;

  static Path examples() {
    Path p = Path.of("").toAbsolutePath();
    while (!Files.isDirectory(p.resolve("examples/dataplane"))) {
      p = p.getParent();
    }
    return p.resolve("examples/dataplane");
  }

  void write(String rel, String text) throws Exception {
    Path f = dir.resolve(rel);
    Files.createDirectories(f.getParent());
    Files.writeString(f, text);
  }

  @Test
  void theExampleFolderReadsWithoutProblems() throws Exception {
    LocalProject p = ProjectReader.read(examples());
    assertThat(p.problems()).isEmpty();
    assertThat(p.environment()).isEqualTo("dev");
    assertThat(p.state().objects().keySet())
        .containsExactlyInAnyOrder(
            "workerGroup/default",
            "secretGrants/WAREHOUSE_TOKEN",
            "notificationChannel/team-slack",
            "notificationRule/etl-failures",
            "pipeline/hello-etl",
            "pipeline/report",
            "file/hello-etl/etl/transform.py",
            "schedule/hello-etl-nightly",
            "trigger/report-after-etl");
    assertThat(
            p.state()
                .get(StateObject.FILE, "hello-etl/etl/transform.py")
                .spec()
                .path("digest")
                .asText())
        .startsWith("sha256:");
    assertThat(
            p.state()
                .get(StateObject.SCHEDULE, "hello-etl-nightly")
                .spec()
                .path("paused")
                .asBoolean())
        .isTrue();
  }

  @Test
  void badYamlIsReportedWithFileAndLine() throws Exception {
    write("pipelines/etl/pipeline.yaml", "tasks:\n  - key: a\n    script: [echo\n  - key: b\n");
    LocalProject p = ProjectReader.read(dir);
    assertThat(p.problems())
        .singleElement()
        .satisfies(
            pr -> {
              assertThat(pr.file()).isEqualTo("pipelines/etl/pipeline.yaml");
              assertThat(pr.code()).isEqualTo("SYNTAX");
              assertThat(pr.line()).isGreaterThan(1);
              assertThat(pr.toString())
                  .startsWith("pipelines/etl/pipeline.yaml:" + pr.line() + ": ");
            });
  }

  @Test
  void aSymlinkLeadingOutOfTheFolderIsRefused() throws Exception {
    write("pipelines/etl/pipeline.yaml", "tasks: []\n");
    Path secret = Files.createTempFile("outside", ".txt");
    Files.writeString(secret, "root:x:0:0");
    Files.createDirectories(dir.resolve("pipelines/etl/files"));
    Files.createSymbolicLink(dir.resolve("pipelines/etl/files/passwd"), secret);
    LocalProject p = ProjectReader.read(dir);
    assertThat(p.problems())
        .singleElement()
        .satisfies(
            pr -> {
              assertThat(pr.code()).isEqualTo("SYMLINK_ESCAPES");
              assertThat(pr.file()).isEqualTo("pipelines/etl/files/passwd");
            });
    assertThat(p.state().objects()).doesNotContainKey("file/etl/passwd");
  }

  @Test
  void aSymlinkedFilesFolderIsRefused() throws Exception {
    write("pipelines/etl/pipeline.yaml", "tasks: []\n");
    Files.createSymbolicLink(dir.resolve("pipelines/etl/files"), Path.of("/etc"));
    LocalProject p = ProjectReader.read(dir);
    assertThat(p.problems()).extracting(Problem::code).containsExactly("SYMLINK");
    assertThat(p.state().objects().keySet()).containsExactly("pipeline/etl");
  }

  @Test
  void aFileLargerThanTheLimitIsRefused() throws Exception {
    write("pipelines/etl/pipeline.yaml", "tasks: []\n");
    write("pipelines/etl/files/small.txt", "ok");
    Files.write(dir.resolve("pipelines/etl/files/big.bin"), new byte[2048]);
    LocalProject p = new ProjectReader(1024).readFolder(dir);
    assertThat(p.problems())
        .singleElement()
        .satisfies(
            pr -> {
              assertThat(pr.code()).isEqualTo("TOO_LARGE");
              assertThat(pr.file()).isEqualTo("pipelines/etl/files/big.bin");
            });
  }

  @Test
  void aHugeDefinitionIsRefusedUnread() throws Exception {
    write("pipelines/etl/pipeline.yaml", "description: " + "x".repeat(2 * 1024 * 1024) + "\n");
    assertThat(ProjectReader.read(dir).problems())
        .extracting(Problem::code)
        .containsExactly("TOO_LARGE");
  }

  @Test
  void unknownFieldsBadNamesAndDanglingReferencesAreNamedWithLines() throws Exception {
    write("pipelines/etl/pipeline.yaml", "name: other\ntasks: []\n");
    write("pipelines/Bad Name/pipeline.yaml", "tasks: []\n");
    write("schedules/nightly.yaml", "pipeline: etl\ncron: '0 3 * * *'\ncolour: red\n");
    write("schedules/both.yaml", "pipeline: etl\ncron: '0 3 * * *'\nrrule: FREQ=DAILY\n");
    write("triggers/t.yaml", "kind: COMPLETION\npipeline: etl\nupstreamPipeline: ghost\n");
    LocalProject p = ProjectReader.read(dir);
    assertThat(p.problems())
        .extracting(Problem::toString)
        .containsExactlyInAnyOrder(
            "pipelines/Bad Name: 'Bad Name' is not a pipeline name [a-z0-9][a-z0-9-_]{0,62} (INVALID_NAME)",
            "pipelines/etl/pipeline.yaml:1: name: 'other' differs from the folder's name 'etl' (INVALID_VALUE)",
            "schedules/both.yaml:1: cron: exactly one of cron and rrule (INVALID_VALUE)",
            "schedules/nightly.yaml:3: colour: unknown field (known: cron, description, misfirePolicy, name, params, paused, pipeline, release, rrule, timezone) (UNKNOWN_FIELD)",
            "triggers/t.yaml: upstreamPipeline: 'ghost' is not a pipeline of this folder (UNKNOWN_PIPELINE)");
  }

  @Test
  void aFileThatIsNotUtf8IsRefusedAsADefinition() throws Exception {
    Files.createDirectories(dir.resolve("pipelines/etl"));
    Files.write(
        dir.resolve("pipelines/etl/pipeline.yaml"), new byte[] {(byte) 0xff, (byte) 0xfe, 0x41});
    assertThat(ProjectReader.read(dir).problems())
        .extracting(Problem::code)
        .containsExactly("SYNTAX");
  }

  @Test
  void grantsChannelsAndRulesOfEnvironmentYamlAreCheckedWithLines() throws Exception {
    write("pipelines/etl/pipeline.yaml", "tasks: []\n");
    write(
        "environment.yaml",
        """
        environment: dev
        workerGroups: [{name: gpu}]
        secrets:
          - name: DB
            pipelines: [etl, ghost]
            workerGroups: [gpu, nowhere]
          - name: DB
            pipelines: [etl]
          - name: TOKEN
            value: hunter2
        notificationChannels:
          - {name: oncall, kind: SLACK, secretName: NOTIFY_SLACK}
          - {name: oncall, kind: SLACK, secretName: NOTIFY_OTHER}
          - {name: leak, kind: WEBHOOK, url: 'https://x', secretName: DB}
        notificationRules:
          - {name: r1, channel: oncall, pipeline: ghost, events: [RUN_FAILED]}
          - {name: r2, channel: nobody, events: [RUN_FAILED]}
          - {name: r3, channel: oncall, events: [EXPLODED]}
        """);
    LocalProject p = ProjectReader.read(dir);
    assertThat(p.problems())
        .extracting(Problem::toString)
        .containsExactlyInAnyOrder(
            "environment.yaml:5: secrets: 'ghost' is not a pipeline of this folder (UNKNOWN_PIPELINE)",
            "environment.yaml:6: secrets: 'nowhere' is not a worker group of environment.yaml (UNKNOWN_WORKER_GROUP)",
            "environment.yaml:7: secrets[1].name: secret 'DB' is listed twice (DUPLICATE_NAME)",
            "environment.yaml:10: secrets[2].value: a secret's value never goes into the folder: set it with setSecret (console or GraphQL); the folder names who may receive it (SECRET_VALUE)",
            "environment.yaml:13: notificationChannels[1].name: notification channel 'oncall' is declared twice (DUPLICATE_NAME)",
            "environment.yaml:14: notificationChannels[2].secretName: a channel's secret is a secret of the environment named NOTIFY_<name> (its name only, never its value) (INVALID_VALUE)",
            "environment.yaml:16: pipeline: 'ghost' is not a pipeline of this folder (UNKNOWN_PIPELINE)",
            "environment.yaml:17: notificationRules[1].channel: 'nobody' is not a notificationChannel of environment.yaml (UNKNOWN_CHANNEL)",
            "environment.yaml:18: notificationRules[2].events[0]: 'EXPLODED' is not one of [MISFIRE, NO_WORKER, RUN_FAILED, RUN_SUCCEEDED, SLA_MISSED] (INVALID_VALUE)");
    assertThat(p.state().get(StateObject.SECRET_GRANTS, "DB").spec().toString())
        .isEqualTo("{\"pipelines\":[\"etl\",\"ghost\"],\"workerGroups\":[\"gpu\",\"nowhere\"]}");
    assertThat(p.state().get(StateObject.SECRET_GRANTS, "TOKEN")).isNull();
  }

  @Test
  void aPinIsANumberOrAReleaseId() throws Exception {
    write("pipelines/etl/pipeline.yaml", "tasks: []\n");
    write("schedules/a.yaml", "pipeline: etl\ncron: '0 3 * * *'\nrelease: 3\n");
    write(
        "schedules/b.yaml",
        "pipeline: etl\ncron: '0 3 * * *'\nrelease: 0b7e4c4e-8f0a-4a52-9d7e-6c0f3f1e2a10\n");
    write("triggers/c.yaml", "kind: WEBHOOK\npipeline: etl\nrelease: latest\n");
    write("triggers/d.yaml", "kind: WEBHOOK\npipeline: etl\nrelease: 0\n");
    LocalProject p = ProjectReader.read(dir);
    assertThat(p.problems())
        .extracting(Problem::toString)
        .containsExactlyInAnyOrder(
            "triggers/c.yaml:3: release: release pins a release of the pipeline: its number (1 = the first release) or its id; leave it out to run the latest release (INVALID_VALUE)",
            "triggers/d.yaml:3: release: release pins a release of the pipeline: its number (1 = the first release) or its id; leave it out to run the latest release (INVALID_VALUE)");
    assertThat(p.state().get(StateObject.SCHEDULE, "a").spec().path("release").asInt())
        .isEqualTo(3);
    assertThat(p.where().get("schedule/a#release").line()).isEqualTo(3);
  }
}
