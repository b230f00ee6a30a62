package io.dataplane.orchestrator.dag;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DefinitionReaderTest {

  private static final String GOOD =
      """
      name: etl
      description: nightly load
      params:
        day: {type: string, required: true}
        limit: {type: integer, default: 10}
      concurrency: {max: 2, policy: CANCEL_NEWEST}
      maxDuration: 1h
      tasks:
        - key: load
          runtime: python
          entrypoint: load.py
          dependsOn: [extract]
          retries: {max: 3, backoff: exponential, initialDelay: 1s, maxDelay: 30s, jitter: 0.2}
          timeout: 5m
          secrets: [DB_PASSWORD]
          env: {MODE: full}
        - key: extract
          runtime: bash
          script: echo hi
      """;

  @Test
  void readsAndNormalizesYaml() {
    DefinitionReader.Result r = DefinitionReader.read(GOOD, true, "etl", Set.of("default"));
    assertThat(r.errors()).isEmpty();
    PipelineDefinition d = r.definition();
    assertThat(d.tasks())
        .extracting(PipelineDefinition.Task::key)
        .containsExactly("extract", "load");
    assertThat(d.task("load").timeout()).isEqualTo("PT5M");
    assertThat(d.task("load").retries().initialDelay()).isEqualTo("PT1S");
    assertThat(d.task("load").workerGroup()).isEqualTo("default");
    assertThat(d.maxDuration()).isEqualTo("PT1H");
    assertThat(d.concurrency().policy())
        .isEqualTo(PipelineDefinition.ConcurrencyPolicy.CANCEL_NEWEST);
    assertThat(d.params().get("limit").defaultValue()).isEqualTo(10);
  }

  @Test
  void declaredTriggersAreCheckedNormalizedAndRoundTrip() {
    String yaml =
        """
        name: load
        params:
          day: {type: string}
        triggers:
          - name: orders
            kind: kafka
            topic: orders
            filterField: type
            filterValue: created
          - name: after-extract
            kind: completion
            upstreamPipeline: extract
            params: {day: "{{ upstream.outputs.extract.day }}"}
          - {name: github, kind: Webhook, auth: hmac, secretName: GH_KEY, enabled: false}
        tasks:
          - {key: a, runtime: bash, script: 'true'}
        """;
    DefinitionReader.Result r = DefinitionReader.read(yaml, true, "load", null);
    assertThat(r.errors()).isEmpty();
    List<io.dataplane.common.triggers.TriggerSpec> t = r.definition().triggers();
    assertThat(t)
        .extracting(io.dataplane.common.triggers.TriggerSpec::name)
        .containsExactly("after-extract", "github", "orders");
    assertThat(t.get(0).kind()).isEqualTo("COMPLETION");
    assertThat(t.get(0).onState()).isEqualTo("SUCCEEDED");
    assertThat(t.get(1).auth()).isEqualTo("HMAC");
    assertThat(t.get(1).enabled()).isFalse();
    assertThat(t.get(2).topic()).isEqualTo("orders");
    // the normal form reads back to the same definition (what releases and promotion do)
    DefinitionReader.Result again = DefinitionReader.check(r.definition(), null);
    assertThat(again.errors()).isEmpty();
    assertThat(again.definition()).isEqualTo(r.definition());
  }

  @Test
  void brokenTriggersNameTheirPath() {
    String yaml =
        """
        name: load
        params:
          day: {type: string}
        triggers:
          - {name: a, kind: cron}
          - {name: b, kind: webhook}
          - {name: c, kind: completion, upstreamPipeline: load}
          - {name: d, kind: completion, upstreamPipeline: x, params: {month: "1"}}
          - {name: e, kind: completion, upstreamPipeline: x, params: {day: "{{#a}}"}}
          - {name: f, kind: kafka, topic: "no spaces"}
          - {name: g, kind: completion, upstreamPipeline: x, every: 5m}
          - {name: h, kind: completion, upstreamPipeline: x}
          - {name: h, kind: completion, upstreamPipeline: y}
          - {name: "i/j", kind: completion, upstreamPipeline: x}
        tasks:
          - {key: a, runtime: bash, script: 'true'}
        """;
    DefinitionReader.Result r = DefinitionReader.read(yaml, true, "load", null);
    assertThat(r.errors())
        .extracting(ValidationError::path)
        .contains(
            "triggers[0].kind",
            "triggers[1].auth",
            "triggers[2].upstreamPipeline",
            "triggers[3].params.month",
            "triggers[4].params.day",
            "triggers[5].topic",
            "triggers[6].every",
            "triggers[8].name",
            "triggers[9].name");
    assertThat(r.errors())
        .filteredOn(e -> e.path().equals("triggers[1].auth"))
        .first()
        .extracting(ValidationError::message)
        .asString()
        .contains("auth: HMAC");
    String many =
        "name: load\ntriggers:\n"
            + "  - {name: t, kind: completion, upstreamPipeline: x}\n".repeat(51)
            + "tasks:\n  - {key: a, runtime: bash, script: 'true'}\n";
    assertThat(DefinitionReader.read(many, true, "load", null).errors())
        .extracting(ValidationError::message)
        .anyMatch(m -> m.contains("at most 50 triggers"));
  }

  @Test
  void anSlaIsNormalized() {
    String yaml =
        "name: etl\nsla: {maxDuration: 30m, deadline: {time: \"06:00\", timezone: Europe/Paris}}\n"
            + "tasks:\n  - {key: a, runtime: bash, script: 'true'}\n";
    DefinitionReader.Result r = DefinitionReader.read(yaml, true, "etl", null);
    assertThat(r.errors()).isEmpty();
    assertThat(r.definition().sla())
        .isEqualTo(new PipelineDefinition.Sla("PT30M", "06:00", "Europe/Paris"));
    String utc =
        "name: etl\nsla: {deadline: {time: 23:59}}\ntasks:\n  - {key: a, runtime: bash, script: x}\n";
    assertThat(DefinitionReader.read(utc, true, null, null).definition().sla())
        .isEqualTo(new PipelineDefinition.Sla(null, "23:59", "UTC"));
  }

  @Test
  void aBadSlaIsNamedWhereItIs() {
    String bad =
        """
        name: etl
        sla:
          maxDuration: soon
          deadline: {time: 6am, timezone: Mars/Olympus, at: noon}
          alert: me
        tasks:
          - {key: a, runtime: bash, script: 'true'}
        """;
    assertThat(DefinitionReader.read(bad, true, null, null).errors())
        .extracting(ValidationError::path)
        .containsExactlyInAnyOrder(
            "sla.maxDuration",
            "sla.deadline.time",
            "sla.deadline.timezone",
            "sla.deadline.at",
            "sla.alert");
    assertThat(DefinitionReader.read(bad, true, null, null).errors())
        .filteredOn(e -> e.path().equals("sla.deadline.time"))
        .extracting(ValidationError::message)
        .containsExactly("'6am' is not a time of day; write HH:mm, e.g. 06:00");
    String number =
        "name: etl\nsla: {deadline: {time: 600}}\ntasks:\n  - {key: a, runtime: bash, script: x}\n";
    assertThat(DefinitionReader.read(number, true, null, null).errors())
        .extracting(ValidationError::message)
        .containsExactly("write the time as text in quotes, e.g. time: \"06:00\"");
    String empty = "name: etl\nsla: {}\ntasks:\n  - {key: a, runtime: bash, script: x}\n";
    assertThat(DefinitionReader.read(empty, true, null, null).errors())
        .extracting(ValidationError::path)
        .containsExactly("sla");
    String late =
        "name: etl\nsla: {deadline: {time: \"24:00\"}}\ntasks:\n  - {key: a, runtime: bash, script: x}\n";
    assertThat(DefinitionReader.read(late, true, null, null).errors())
        .extracting(ValidationError::path)
        .containsExactly("sla.deadline.time");
  }

  @Test
  void jsonGivesTheSameRecords() {
    String json =
        """
        {"name":"etl","tasks":[{"key":"a","runtime":"bash","script":"true","timeout":"PT30S"}]}
        """;
    String yaml = "name: etl\ntasks:\n  - {key: a, runtime: bash, script: 'true', timeout: 30s}\n";
    assertThat(DefinitionReader.read(json, false, null, null).definition())
        .isEqualTo(DefinitionReader.read(yaml, true, null, null).definition());
  }

  @Test
  void namesEveryProblemWithItsPath() {
    String bad =
        """
        name: Bad Name
        maxDuration: forever
        tasks:
          - key: a
            runtime: ruby
            script: x
            dependsOn: [c]
            colour: red
          - key: b
            runtime: bash
            script: x
            dependsOn: [a, ghost]
            timeout: 30 seconds
            workerGroup: gpu
          - key: c
            runtime: bash
            script: x
            dependsOn: [b]
          - key: a
            runtime: bash
            script: x
        """;
    DefinitionReader.Result r = DefinitionReader.read(bad, true, null, Set.of("default"));
    assertThat(r.valid()).isFalse();
    assertThat(r.errors())
        .extracting(e -> e.path() + " " + e.code())
        .contains(
            "name INVALID_NAME",
            "maxDuration INVALID_DURATION",
            "tasks[0].runtime INVALID_RUNTIME",
            "tasks[0].colour UNKNOWN_FIELD",
            "tasks[1].timeout INVALID_DURATION",
            "tasks[1].workerGroup UNKNOWN_WORKER_GROUP",
            "tasks[1].dependsOn[1] UNKNOWN_DEPENDENCY",
            "tasks[3].key DUPLICATE_KEY");
    assertThat(r.errors())
        .filteredOn(e -> e.code().equals(ValidationError.CYCLE))
        .singleElement()
        .satisfies(e -> assertThat(e.message()).contains("a -> c -> b -> a"));
  }

  @Test
  void reportsSyntaxAndDuplicateMapKeys() {
    DefinitionReader.Result r =
        DefinitionReader.read("name: a\nname: b\ntasks: []\n", true, null, null);
    assertThat(r.errors()).singleElement().extracting(ValidationError::code).isEqualTo("SYNTAX");
    assertThat(DefinitionReader.read("{", false, null, null).errors())
        .extracting(ValidationError::code)
        .containsExactly("SYNTAX");
  }

  @Test
  void nameMustMatchTheUrl() {
    DefinitionReader.Result r =
        DefinitionReader.read(
            "name: a\ntasks: [{key: t, runtime: bash, script: x}]", true, "b", null);
    assertThat(r.errors()).extracting(ValidationError::path).containsExactly("name");
  }

  @Test
  void durations() {
    assertThat(Durations.parse("30s")).contains(java.time.Duration.ofSeconds(30));
    assertThat(Durations.parse("5m")).contains(java.time.Duration.ofMinutes(5));
    assertThat(Durations.parse("1h30m")).contains(java.time.Duration.ofMinutes(90));
    assertThat(Durations.parse("250ms")).contains(java.time.Duration.ofMillis(250));
    assertThat(Durations.parse("PT2S")).contains(java.time.Duration.ofSeconds(2));
    assertThat(Durations.parse("0s")).isEmpty();
    assertThat(Durations.parse("5 minutes")).isEmpty();
    assertThat(Durations.parse("-PT1S")).isEmpty();
  }

  @Test
  void checkRevalidatesAStoredDefinitionAgainstOtherGroups() {
    PipelineDefinition d = DefinitionReader.read(GOOD, true, "etl", null).definition();
    assertThat(DefinitionReader.check(d, Set.of("default")).definition()).isEqualTo(d);
    assertThat(DefinitionReader.check(d, Set.of("other")).errors())
        .extracting(ValidationError::code)
        .containsOnly(ValidationError.UNKNOWN_WORKER_GROUP);
  }

  @Test
  void paramsAreCheckedAndDefaulted() {
    PipelineDefinition d = DefinitionReader.read(GOOD, true, "etl", null).definition();
    ParamChecker.Result ok = ParamChecker.check(d.params(), java.util.Map.of("day", "2026-01-01"));
    assertThat(ok.errors()).isEmpty();
    assertThat(ok.params()).containsEntry("limit", 10).containsEntry("day", "2026-01-01");
    ParamChecker.Result bad =
        ParamChecker.check(d.params(), java.util.Map.of("limit", "x", "y", 1));
    assertThat(bad.errors())
        .extracting(e -> e.path() + " " + e.code())
        .containsExactlyInAnyOrder(
            "params.limit INVALID_TYPE", "params.y UNKNOWN_PARAM", "params.day REQUIRED");
  }

  @Test
  void cyclesAreNamedOncePerLoop() {
    var cycles =
        Dag.cycles(
            new java.util.LinkedHashMap<>(
                java.util.Map.of("x", List.of("y"), "y", List.of("x"), "z", List.of())));
    assertThat(cycles).hasSize(1);
    assertThat(cycles.get(0)).hasSize(3);
  }
}
