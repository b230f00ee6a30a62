package io.dataplane.common.events;

import java.util.Map;

/**
 * A request to start a run. {@code requestId} is the idempotency key: a second request with the
 * same id returns the first run (a schedule fire uses {@code scheduleId@fireTime}).
 *
 * @param releaseId the release to run, or null for the pipeline's latest release
 * @param trigger MANUAL, API, SCHEDULE or EVENT
 */
public record RunRequested(
    String requestId,
    String environment,
    String pipeline,
    String releaseId,
    Map<String, Object> params,
    String requestedBy,
    String trigger)
    implements Event {

  /** The Kafka key of this event: runs of one pipeline stay in order. */
  public String key() {
    return environment + "/" + pipeline;
  }
}
