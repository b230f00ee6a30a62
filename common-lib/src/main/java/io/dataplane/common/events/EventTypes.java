package io.dataplane.common.events;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The registry of event types: the name written in the envelope and the current version. */
public final class EventTypes {

  /** One event type: its name on the wire, its current version and its payload record. */
  public record Registration(String type, int version, Class<? extends Event> payloadClass) {}

  private static final List<Registration> ALL =
      List.of(
          reg(RunRequested.class),
          reg(TaskDispatched.class),
          reg(AttemptStarted.class),
          reg(AttemptFinished.class),
          reg(CancelAttempt.class),
          reg(LogChunk.class),
          reg(WorkerHeartbeat.class),
          reg(RunStateChanged.class),
          reg(SlaMissed.class),
          reg(WorkerGroupUnserved.class),
          reg(TaskRunStateChanged.class),
          reg(PipelineReleased.class),
          reg(PipelineDeleted.class),
          reg(SecretChanged.class),
          reg(BundlePublished.class));

  private static final Map<String, Registration> BY_TYPE =
      ALL.stream().collect(Collectors.toUnmodifiableMap(Registration::type, Function.identity()));
  private static final Map<Class<?>, Registration> BY_CLASS =
      ALL.stream()
          .collect(Collectors.toUnmodifiableMap(Registration::payloadClass, Function.identity()));

  private EventTypes() {}

  private static Registration reg(Class<? extends Event> type) {
    return new Registration(type.getSimpleName(), 1, type);
  }

  public static List<Registration> all() {
    return ALL;
  }

  public static Optional<Registration> byType(String type) {
    return Optional.ofNullable(BY_TYPE.get(type));
  }

  public static Registration of(Class<?> payloadClass) {
    Registration r = BY_CLASS.get(payloadClass);
    if (r == null) {
      throw new IllegalArgumentException("not a registered event: " + payloadClass.getName());
    }
    return r;
  }
}
