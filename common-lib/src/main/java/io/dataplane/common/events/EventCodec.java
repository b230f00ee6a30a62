package io.dataplane.common.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dataplane.common.json.Json;
import java.io.IOException;
import java.time.Instant;
import java.util.UUID;

/** Writes envelopes as JSON and reads them back, choosing the payload record by {@code type}. */
public final class EventCodec {

  private final ObjectMapper mapper;

  public EventCodec() {
    this(Json.mapper());
  }

  public EventCodec(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  public byte[] encode(EventEnvelope<?> envelope) {
    try {
      return mapper.writeValueAsBytes(envelope);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("event cannot be serialized: " + envelope.type(), e);
    }
  }

  public String encodeToString(EventEnvelope<?> envelope) {
    try {
      return mapper.writeValueAsString(envelope);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("event cannot be serialized: " + envelope.type(), e);
    }
  }

  /**
   * Reads an envelope. Fields the payload record does not know are ignored, so an older consumer
   * reads a newer producer's event.
   *
   * @throws UnreadableEventException when the bytes are not an envelope or the type is unknown
   */
  public EventEnvelope<? extends Event> decode(byte[] bytes) {
    try {
      return decodeTree(mapper.readTree(bytes));
    } catch (IOException e) {
      throw new UnreadableEventException("not a JSON event envelope: " + e.getMessage(), e);
    }
  }

  public EventEnvelope<? extends Event> decode(String json) {
    try {
      return decodeTree(mapper.readTree(json));
    } catch (IOException e) {
      throw new UnreadableEventException("not a JSON event envelope: " + e.getMessage(), e);
    }
  }

  private EventEnvelope<? extends Event> decodeTree(JsonNode node) throws IOException {
    if (node == null || !node.isObject()) {
      throw new UnreadableEventException("not a JSON object", null);
    }
    String type = text(node, "type");
    EventTypes.Registration reg =
        EventTypes.byType(type)
            .orElseThrow(() -> new UnreadableEventException("unknown event type " + type, null));
    JsonNode payload = node.get("payload");
    if (payload == null || !payload.isObject()) {
      throw new UnreadableEventException("event " + type + " has no payload object", null);
    }
    Event event = mapper.treeToValue(payload, reg.payloadClass());
    return new EventEnvelope<>(
        UUID.fromString(text(node, "eventId")),
        type,
        node.path("version").asInt(reg.version()),
        Instant.parse(text(node, "occurredAt")),
        text(node, "source"),
        event);
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || !v.isTextual()) {
      throw new UnreadableEventException("envelope field '" + field + "' is missing", null);
    }
    return v.asText();
  }

  /** The bytes are not an event this version of Dataplane can read. */
  public static final class UnreadableEventException extends RuntimeException {
    public UnreadableEventException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
