package io.dataplane.common.events;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * The envelope every event travels in: {@code eventId} makes consumers idempotent, {@code type} and
 * {@code version} select the payload record, {@code source} names the producing service.
 */
public record EventEnvelope<T extends Event>(
    UUID eventId, String type, int version, Instant occurredAt, String source, T payload) {

  public EventEnvelope {
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(occurredAt, "occurredAt");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(payload, "payload");
  }

  /** A new envelope with a fresh id, the current time and the payload's registered type. */
  public static <T extends Event> EventEnvelope<T> of(String source, T payload) {
    EventTypes.Registration reg = EventTypes.of(payload.getClass());
    return new EventEnvelope<>(
        UUID.randomUUID(), reg.type(), reg.version(), Instant.now(), source, payload);
  }
}
