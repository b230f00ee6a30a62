package io.dataplane.scheduler.messaging;

import io.dataplane.common.events.EventCodec;
import io.dataplane.common.events.EventEnvelope;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

/**
 * Appends many events to the common-lib outbox table in one statement. common-lib's {@code
 * Outbox.append} costs one round trip per event; a burst of fires due in the same second (1,000 in
 * the benchmark) would spend most of its lag on those round trips. The rows, their encoding and the
 * NOTIFY channel are exactly those of {@code Outbox.append}, so the common-lib relay sends them.
 */
public final class OutboxBatch {

  /** One event to append, with its encoded form (encoded ahead of the transaction). */
  public record Item(String topic, String key, EventEnvelope<?> envelope, byte[] payload) {}

  private final String table;
  private final String channel;
  private static final EventCodec CODEC = new EventCodec();

  /** Encodes an event for {@link #appendAll}. */
  public static Item item(String topic, String key, EventEnvelope<?> envelope) {
    return new Item(topic, key, envelope, CODEC.encode(envelope));
  }

  public OutboxBatch(String schema) {
    if (!schema.matches("[a-z_][a-z0-9_]*")) {
      throw new IllegalArgumentException("invalid schema " + schema);
    }
    this.table = schema + ".outbox";
    this.channel = schema + "_outbox";
  }

  /** Inserts the events inside the caller's transaction; the relay wakes at commit. */
  public void appendAll(Connection c, List<Item> items) throws SQLException {
    if (items.isEmpty()) {
      return;
    }
    int n = items.size();
    UUID[] ids = new UUID[n];
    String[] topics = new String[n];
    String[] keys = new String[n];
    byte[][] payloads = new byte[n][];
    for (int i = 0; i < n; i++) {
      Item it = items.get(i);
      ids[i] = it.envelope().eventId();
      topics[i] = it.topic();
      keys[i] = it.key();
      payloads[i] = it.payload();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "insert into "
                + table
                + " (event_id, topic, msg_key, payload)"
                + " select * from unnest(?::uuid[], ?::text[], ?::text[], ?::bytea[]);"
                + " select pg_notify('"
                + channel
                + "', '')")) {
      ps.setArray(1, c.createArrayOf("uuid", ids));
      ps.setArray(2, c.createArrayOf("text", topics));
      ps.setArray(3, c.createArrayOf("text", keys));
      ps.setArray(4, c.createArrayOf("bytea", payloads));
      ps.execute();
    }
  }
}
