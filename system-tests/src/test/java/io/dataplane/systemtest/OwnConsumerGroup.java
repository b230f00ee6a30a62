package io.dataplane.systemtest;

import java.util.Map;

/**
 * Settings that give a platform's orchestrator a Kafka consumer group of its own. Without them it
 * shares {@code orchestrator-service} with every other orchestrator on the broker (other system
 * tests, module tests), which may take the partition of a run's task events and drop them as
 * unknown, so the run never ends.
 */
final class OwnConsumerGroup {

  private OwnConsumerGroup() {}

  /** Environment variables for {@link Platform#start}; {@code id} makes the group unique. */
  static Map<String, String> env(String id) {
    return Map.of(
        "DATAPLANE_ORCHESTRATOR_CONSUMER_GROUP",
        "orchestrator-st-" + id,
        // a new group would otherwise read every event ever sent on the broker first
        "DATAPLANE_ORCHESTRATOR_CONSUMER_OFFSET_RESET",
        "latest");
  }
}
