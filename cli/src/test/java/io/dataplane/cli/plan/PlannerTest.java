package io.dataplane.cli.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dataplane.cli.project.YamlDocument;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlannerTest {

  static final String ETL =
      """
      workerGroup: default
      tasks:
        - key: extract
          runtime: bash
          script: echo e
        - key: load
          runtime: python
          entrypoint: load.py
          dependsOn: [extract]
          timeout: 15m
      """;

  static JsonNode yaml(String text) throws Exception {
    return YamlDocument.parse(text).tree();
  }

  static StateObject pipeline(String name, String yaml) throws Exception {
    return new StateObject(StateObject.PIPELINE, name, Specs.pipeline(yaml(yaml)), null, null);
  }

  static StateObject file(String name, String content) {
    ObjectNode spec = Specs.JSON.createObjectNode().put("digest", Specs.sha256(content));
    return new StateObject(StateObject.FILE, name, spec, null, null);
  }

  static StateObject schedule(String name, String yaml, String id) throws Exception {
    ObjectNode n = (ObjectNode) yaml(yaml);
    n.put("name", name);
    return new StateObject(StateObject.SCHEDULE, name, Specs.schedule(n), id, null);
  }

  static EnvState local() throws Exception {
    return new EnvState()
        .add(
            new StateObject(
                StateObject.WORKER_GROUP,
                "default",
                Specs.JSON.createObjectNode().put("name", "default"),
                null,
                null))
        .add(pipeline("etl", ETL))
        .add(file("etl/load.py", "print(1)\n"))
        .add(schedule("nightly", "pipeline: etl\ncron: '0 3 * * *'\n", null));
  }

  static Plan plan(EnvState local, EnvState remote) {
    return Planner.plan("http://gw", "dev", local, remote, Instant.EPOCH);
  }

  @Test
  void anEmptyEnvironmentGetsEveryObjectCreatedInDependencyOrder() throws Exception {
    Plan p = plan(local(), new EnvState());
    assertThat(p.changes())
        .extracting(c -> c.action() + " " + c.key())
        .containsExactly(
            "CREATE workerGroup/default",
            "CREATE pipeline/etl",
            "CREATE file/etl/load.py",
            "CREATE schedule/nightly");
    assertThat(p.releases()).containsExactly("etl");
    assertThat(PlanText.render(p))
        .contains("  + pipeline etl  (2 task(s))")
        .contains("Plan: 4 to create, 0 to change, 0 to delete, 1 to release.");
  }

  @Test
  void theSameStateOnBothSidesIsNoChange() throws Exception {
    Plan p = plan(local(), remoteAs(local()));
    assertThat(p.isEmpty()).isTrue();
    assertThat(PlanText.render(p)).contains("No changes: the environment matches the folder.");
  }

  @Test
  void reorderedTasksAndDependenciesAreNoChange() throws Exception {
    String reordered =
        """
        workerGroup: default
        tasks:
          - key: load
            dependsOn: [extract]
            runtime: python
            timeout: 15m
            entrypoint: load.py
          - {key: extract, runtime: bash, script: echo e}
        """;
    EnvState remote = remoteAs(local()).add(pipeline("etl", reordered));
    assertThat(plan(local(), remote).isEmpty()).isTrue();
  }

  @Test
  void aChangedFileIsTheOnlyChangeAndReleasesItsPipeline() throws Exception {
    EnvState remote = remoteAs(local()).add(file("etl/load.py", "print(0)\n"));
    Plan p = plan(local(), remote);
    assertThat(p.changes()).extracting(Change::key).containsExactly("file/etl/load.py");
    assertThat(p.changes().get(0).details())
        .containsExactly(
            "~ digest: \""
                + Specs.sha256("print(0)\n")
                + "\" -> \""
                + Specs.sha256("print(1)\n")
                + "\"");
    assertThat(p.releases()).containsExactly("etl");
  }

  @Test
  void aChangedTaskIsNamedByItsKeyAndField() throws Exception {
    EnvState remote = remoteAs(local()).add(pipeline("etl", ETL.replace("15m", "30m")));
    Plan p = plan(local(), remote);
    assertThat(p.changes())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.action()).isEqualTo(Change.Action.UPDATE);
              assertThat(c.details())
                  .containsExactly("~ tasks[key=load].timeout: \"30m\" -> \"15m\"");
            });
    assertThat(PlanText.render(p))
        .contains("  ~ pipeline etl", "      ~ tasks[key=load].timeout: \"30m\" -> \"15m\"");
  }

  @Test
  void whatTheFolderDoesNotNameIsDeletedButTheDefaultWorkerGroupStays() throws Exception {
    EnvState remote =
        remoteAs(local())
            .add(pipeline("old", "tasks: []\n"))
            .add(file("old/x.sh", "x"))
            .add(
                new StateObject(
                    StateObject.WORKER_GROUP,
                    "gpu",
                    Specs.JSON.createObjectNode().put("name", "gpu"),
                    null,
                    null))
            .add(schedule("gone", "pipeline: old\nrrule: FREQ=DAILY\n", "s-9"));
    Plan p = plan(local(), remote);
    // a folder without the default group leaves it alone
    assertThat(plan(new EnvState(), remoteAs(local())).changes())
        .extracting(c -> c.action() + " " + c.key())
        .doesNotContain("DELETE workerGroup/default")
        .contains("DELETE pipeline/etl");
    assertThat(p.changes())
        .extracting(c -> c.action() + " " + c.key())
        .containsExactly(
            "DELETE schedule/gone",
            "DELETE file/old/x.sh",
            "DELETE pipeline/old",
            "DELETE workerGroup/gpu");
    assertThat(p.deletes()).hasSize(4);
    assertThat(p.changes().get(0).remoteId()).isEqualTo("s-9");
    assertThat(p.releases()).isEmpty();
  }

  @Test
  void scheduleDefaultsAreNoChangeButAPauseIs() throws Exception {
    EnvState remote =
        remoteAs(local())
            .add(
                schedule(
                    "nightly",
                    "pipeline: etl\ncron: '0 3 * * *'\ntimezone: UTC\nmisfirePolicy: ALL\nstate: ENABLED\nparams: {}\n",
                    "s-1"));
    assertThat(plan(local(), remote).isEmpty()).isTrue();
    remote.add(schedule("nightly", "pipeline: etl\ncron: '0 3 * * *'\nstate: PAUSED\n", "s-1"));
    Plan p = plan(local(), remote);
    assertThat(p.changes())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.details()).containsExactly("~ paused: true -> false");
              assertThat(c.remoteId()).isEqualTo("s-1");
            });
    assertThat(p.releases()).isEmpty();
  }

  @Test
  void anUnreleasedDraftIsReleased() throws Exception {
    EnvState remote = remoteAs(local()).unreleased("etl");
    Plan p = plan(local(), remote);
    assertThat(p.changes()).isEmpty();
    assertThat(p.releases()).containsExactly("etl");
    assertThat(p.isEmpty()).isFalse();
  }

  @Test
  void driftNamesWhatChangedSinceThePlan() throws Exception {
    EnvState before = remoteAs(local());
    Plan p = plan(local(), before);
    EnvState after =
        remoteAs(local())
            .add(file("etl/load.py", "print(2)\n"))
            .add(schedule("extra", "pipeline: etl\ncron: '* * * * *'\n", "s-2"))
            .unreleased("etl");
    after.objects().remove("schedule/nightly");
    assertThat(Planner.drift(p.remoteObjects(), after.digests()))
        .containsExactly(
            "file/etl/load.py changed",
            "release/etl has an unreleased draft now",
            "schedule/extra was added",
            "schedule/nightly was deleted");
    assertThat(Planner.drift(p.remoteObjects(), remoteAs(local()).digests())).isEmpty();
    assertThat(after.digest()).isNotEqualTo(p.remoteDigest());
  }

  @Test
  void aPlanSurvivesItsFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    Plan p = plan(local(), new EnvState());
    PlanFile.write(p, dir.resolve("plan.json"));
    Plan read = PlanFile.read(dir.resolve("plan.json"));
    assertThat((JsonNode) PlanFile.mapper().valueToTree(read))
        .isEqualTo(PlanFile.mapper().valueToTree(p));
  }

  @Test
  void aFileThatIsNotAPlanIsRefusedClearly(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Files.writeString(dir.resolve("x.json"), "{\"hello\": [");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> PlanFile.read(dir.resolve("x.json")))
        .hasMessageContaining("is not a plan file");
    java.nio.file.Files.writeString(dir.resolve("y.json"), "{\"format\": 7}");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> PlanFile.read(dir.resolve("y.json")))
        .hasMessageContaining("format 7");
  }

  /** A remote state holding what {@code local} holds, with server ids on the rules. */
  static EnvState remoteAs(EnvState local) {
    EnvState r = new EnvState();
    for (StateObject o : local.all()) {
      r.add(
          new StateObject(
              o.kind(),
              o.name(),
              o.spec(),
              o.kind().equals(StateObject.SCHEDULE) ? "s-1" : null,
              null));
    }
    return r;
  }

  @Test
  void diffOfListsWithoutKeysReplacesTheList() throws Exception {
    List<String> d = JsonDiff.diff(yaml("a: [1, 2]\nb: {c: 1}\n"), yaml("a: [2, 1]\nb: {d: 1}\n"));
    assertThat(d).containsExactly("~ a: [1,2] -> [2,1]", "- b.c: 1", "+ b.d: 1");
  }

  @Test
  void aWorkerGroupsDescriptionIsAnUpdate() throws Exception {
    EnvState remote = remoteAs(local());
    EnvState local = local();
    local.add(
        new StateObject(
            StateObject.WORKER_GROUP,
            "default",
            Specs.workerGroup("default", "general purpose"),
            null,
            null));
    Plan p = plan(local, remote);
    assertThat(PlanText.render(p))
        .contains("  ~ workerGroup default", "      + description: \"general purpose\"");
    assertThat(p.deletes()).isEmpty();
    assertThat(p.releases()).isEmpty();
  }

  static StateObject grants(String secret, String pipelines, String groups) throws Exception {
    return new StateObject(
        StateObject.SECRET_GRANTS, secret, Specs.grants(yaml(pipelines), yaml(groups)), null, null);
  }

  @Test
  void grantsShowWhatIsAddedAndRemovedAndAnUnlistedSecretLosesItsGrants() throws Exception {
    EnvState remote =
        remoteAs(local())
            .add(grants("DB", "[etl, old]", "[]"))
            .add(grants("LEGACY", "[etl]", "[gpu]"));
    EnvState local = local().add(grants("DB", "[etl, report]", "[default]"));
    Plan p = plan(local, remote);
    assertThat(p.changes())
        .extracting(c -> c.action() + " " + c.key())
        .containsExactly("UPDATE secretGrants/DB", "UPDATE secretGrants/LEGACY");
    assertThat(p.changes().get(0).details())
        .containsExactly("+ pipeline report", "- pipeline old", "+ workerGroup default");
    assertThat(p.changes().get(1).details()).containsExactly("- pipeline etl", "- workerGroup gpu");
    assertThat(p.changes().get(1).spec().isEmpty()).isTrue();
    assertThat(p.deletes()).isEmpty();
    // the same grants in another order are no change
    Plan same =
        plan(
            remoteAs(local().add(grants("DB", "[b, a]", "[]"))),
            remoteAs(local().add(grants("DB", "[a, b, a]", "[]"))));
    assertThat(same.isEmpty()).isTrue();
  }

  @Test
  void channelsAndRulesCompareWithTheServersDefaults() throws Exception {
    JsonNode local =
        Specs.channel(
            yaml(
                "name: mail\nkind: EMAIL\nsmtpHost: smtp.example.com\nfrom: a@b.c\nto: [x@y.z]\n"));
    JsonNode remote =
        Specs.channel(
            yaml(
                "name: mail\nkind: EMAIL\nsmtpHost: smtp.example.com\nsmtpPort: 587\nsmtpTls: STARTTLS\nmailFrom: a@b.c\nmailTo: [x@y.z]\nurl: null\n"));
    assertThat(local).isEqualTo(remote);
    JsonNode rule = Specs.rule(yaml("name: r\nchannel: mail\nevents: [run_failed]\n"));
    assertThat(rule)
        .isEqualTo(
            Specs.rule(
                yaml(
                    "name: r\nchannel: mail\nevents: [RUN_FAILED]\nquietPeriodSeconds: 0\nenabled: true\n")));
    EnvState l =
        local()
            .add(new StateObject(StateObject.CHANNEL, "mail", local, null, null))
            .add(new StateObject(StateObject.RULE, "r", rule, null, null));
    Plan p = plan(l, remoteAs(local()));
    assertThat(p.changes())
        .extracting(c -> c.action() + " " + c.key())
        .containsExactly("CREATE notificationChannel/mail", "CREATE notificationRule/r");
    Plan gone = plan(local(), remoteAs(l));
    assertThat(gone.changes())
        .extracting(c -> c.action() + " " + c.key())
        .containsExactly("DELETE notificationRule/r", "DELETE notificationChannel/mail");
  }

  @Test
  void aChangedPinIsShownAsTheReleaseNumber() throws Exception {
    EnvState remote =
        remoteAs(local())
            .add(schedule("nightly", "pipeline: etl\ncron: '0 3 * * *'\nrelease: 2\n", "s-1"));
    EnvState local =
        local().add(schedule("nightly", "pipeline: etl\ncron: '0 3 * * *'\nrelease: 3\n", null));
    Plan p = plan(local, remote);
    assertThat(PlanText.render(p)).contains("  ~ schedule nightly", "      ~ release: 2 -> 3");
    assertThat(p.releases()).isEmpty();
    Plan unpin = plan(local(), remote);
    assertThat(PlanText.render(unpin)).contains("      - release: 2");
  }
}
