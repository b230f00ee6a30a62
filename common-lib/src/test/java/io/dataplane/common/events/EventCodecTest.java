package io.dataplane.common.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dataplane.common.json.Json;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class EventCodecTest {

  static final UUID RUN = UUID.fromString("6f1f7d1e-8a51-4d0b-b1e5-0f5a2f1c0c01");
  static final UUID TASK_RUN = UUID.fromString("0c2b2f3a-90f6-4bb4-9c1d-3f0f8e7e9a02");
  static final Instant T = Instant.parse("2026-11-22T10:15:30.123Z");

  private final EventCodec codec = new EventCodec();

  static Stream<Event> samples() {
    return Stream.of(
        new RunRequested(
            "req-1", "dev", "etl", null, Map.of("day", "2026-11-22"), "alice", "MANUAL"),
        new TaskDispatched(
            "dev",
            "etl",
            RUN,
            TASK_RUN,
            "extract",
            2,
            "rel-1",
            "sha256:ab",
            "default",
            "bash",
            "echo hi",
            null,
            Map.of("A", "1"),
            Map.of("n", 3),
            List.of("DB_PASSWORD"),
            false,
            30_000L,
            Map.of("up", Map.of("rows", 10)),
            "v1.k.c.s",
            T),
        new AttemptStarted(RUN, TASK_RUN, 1, "w-1", T),
        new AttemptFinished(
            RUN,
            TASK_RUN,
            1,
            "w-1",
            AttemptOutcome.SUCCEEDED,
            0,
            Map.of("rows", 10),
            null,
            1234,
            T),
        new CancelAttempt("w-1", RUN, TASK_RUN, 1, "run cancelled"),
        new LogChunk(RUN, TASK_RUN, 1, List.of(new LogChunk.Line(1, T, "stdout", "hello")), false),
        new WorkerHeartbeat(
            "w-1",
            List.of("default"),
            "0.1.0",
            0.25,
            1_000,
            8_000,
            0.5,
            4,
            3,
            List.of(new WorkerHeartbeat.RunningAttempt(RUN, TASK_RUN, 1)),
            T,
            false,
            "bwrap"),
        new RunStateChanged(RUN, "dev", "etl", RunState.RUNNING, RunState.QUEUED),
        new SlaMissed(RUN, "dev", "etl", T, "maxDuration PT30M", RunState.RUNNING),
        new WorkerGroupUnserved("dev", "etl", 1, 3, List.of("nightly"), T),
        new TaskRunStateChanged(
            RUN, TASK_RUN, "extract", 1, TaskRunState.FAILED, TaskRunState.RUNNING, "exit 1"),
        new PipelineReleased(
            "dev",
            "etl",
            "rel-2",
            "sha256:cd",
            null,
            List.of(
                new io.dataplane.common.triggers.TriggerSpec(
                    "after-extract",
                    null,
                    "COMPLETION",
                    null,
                    "extract",
                    "SUCCEEDED",
                    null,
                    null,
                    null,
                    null,
                    null,
                    Map.of("day", "{{ upstream.outputs.extract.day }}"),
                    true))),
        new PipelineDeleted("dev", "etl"),
        new SecretChanged("dev", List.of(new SecretChanged.Change("DB_PASSWORD", 3, false))),
        new BundlePublished("dev", "etl", "sha256:ab", 1024, 3));
  }

  @Test
  void everyRegisteredTypeHasASample() {
    assertThat(samples().map(e -> e.getClass().getSimpleName()))
        .containsExactlyInAnyOrderElementsOf(
            EventTypes.all().stream().map(EventTypes.Registration::type).toList());
  }

  @ParameterizedTest
  @MethodSource("samples")
  void roundTrips(Event payload) {
    EventEnvelope<Event> sent = EventEnvelope.of("test", payload);

    EventEnvelope<? extends Event> read = codec.decode(codec.encode(sent));

    assertThat(read.eventId()).isEqualTo(sent.eventId());
    assertThat(read.type()).isEqualTo(payload.getClass().getSimpleName());
    assertThat(read.version()).isEqualTo(1);
    assertThat(read.source()).isEqualTo("test");
    assertThat(read.occurredAt()).isEqualTo(sent.occurredAt());
    assertThat(read.payload()).isEqualTo(payload);
  }

  @ParameterizedTest
  @MethodSource("samples")
  void extraFieldsAreIgnored(Event payload) throws Exception {
    ObjectNode tree =
        (ObjectNode) Json.mapper().readTree(codec.encode(EventEnvelope.of("t", payload)));
    tree.put("addedByANewerProducer", true);
    ((ObjectNode) tree.get("payload")).putObject("futureField").put("x", 1);

    EventEnvelope<? extends Event> read = codec.decode(Json.mapper().writeValueAsBytes(tree));

    assertThat(read.payload()).isEqualTo(payload);
  }

  @Test
  void aHeartbeatOfAWorkerThatDoesNotSayItsSandboxStillReads() throws Exception {
    WorkerHeartbeat old =
        new WorkerHeartbeat(
            "w-1", List.of("default"), "0.1.0", 0, 0, 0, 0, 1, 1, List.of(), T, false);
    ObjectNode tree = (ObjectNode) Json.mapper().readTree(codec.encode(EventEnvelope.of("t", old)));
    ((ObjectNode) tree.get("payload")).remove("sandbox");

    WorkerHeartbeat read =
        (WorkerHeartbeat) codec.decode(Json.mapper().writeValueAsBytes(tree)).payload();

    assertThat(read).isEqualTo(old);
    assertThat(read.sandbox()).isNull();
  }

  @Test
  void aReleaseFromAnOrchestratorThatPredatesDeclaredTriggersReadsAsNull() throws Exception {
    PipelineReleased old = new PipelineReleased("dev", "etl", "rel-1", "sha256:cd", "sha256:ab");
    ObjectNode tree = (ObjectNode) Json.mapper().readTree(codec.encode(EventEnvelope.of("t", old)));
    ((ObjectNode) tree.get("payload")).remove("triggers");

    PipelineReleased read =
        (PipelineReleased) codec.decode(Json.mapper().writeValueAsBytes(tree)).payload();

    assertThat(read).isEqualTo(old);
    assertThat(read.triggers()).isNull();
  }

  @Test
  void envelopeTimeIsIso8601() {
    String json =
        codec.encodeToString(
            new EventEnvelope<>(
                UUID.randomUUID(),
                "PipelineDeleted",
                1,
                T,
                "test",
                new PipelineDeleted("dev", "etl")));
    assertThat(json).contains("\"occurredAt\":\"2026-11-22T10:15:30.123Z\"");
  }

  @Test
  void unknownTypeIsRefusedWithAReason() {
    String json =
        "{\"eventId\":\""
            + UUID.randomUUID()
            + "\",\"type\":\"Nope\",\"version\":1,"
            + "\"occurredAt\":\""
            + T
            + "\",\"source\":\"x\",\"payload\":{}}";
    assertThatThrownBy(() -> codec.decode(json))
        .isInstanceOf(EventCodec.UnreadableEventException.class)
        .hasMessageContaining("unknown event type Nope");
  }

  @Test
  void garbageIsRefused() {
    assertThatThrownBy(() -> codec.decode("not json"))
        .isInstanceOf(EventCodec.UnreadableEventException.class);
    assertThatThrownBy(() -> codec.decode("{\"type\":\"PipelineDeleted\"}"))
        .isInstanceOf(EventCodec.UnreadableEventException.class);
  }

  @Test
  void statesKnowWhetherTheyAreTerminal() {
    assertThat(Stream.of(RunState.values()).filter(RunState::isTerminal))
        .containsExactly(RunState.SUCCEEDED, RunState.FAILED, RunState.CANCELLED);
    assertThat(Stream.of(TaskRunState.values()).filter(s -> !s.isTerminal()))
        .containsExactly(TaskRunState.PENDING, TaskRunState.QUEUED, TaskRunState.RUNNING);
  }

  @Test
  void dispatchTopicIsPerEnvironmentAndGroupAndRefusesBadNames() {
    assertThat(Topics.taskDispatch("prod", "gpu-1"))
        .isEqualTo("dataplane.task-dispatch.prod.gpu-1");
    assertThat(Topics.taskDispatch("dev", "default"))
        .isNotEqualTo(Topics.taskDispatch("prod", "default"));
    assertThatThrownBy(() -> Topics.taskDispatch("prod", "Bad Group"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Topics.taskDispatch("pr.od", "default"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Topics.taskDispatch(null, "default"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(Topics.fixed()).doesNotHaveDuplicates().allMatch(t -> t.startsWith("dataplane."));
  }

  @Test
  void instantsKeepMillisecondPrecision() {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    EventEnvelope<AttemptStarted> sent =
        EventEnvelope.of("t", new AttemptStarted(RUN, TASK_RUN, 1, "w", now));
    assertThat(((AttemptStarted) codec.decode(codec.encode(sent)).payload()).startedAt())
        .isEqualTo(now);
  }
}
