package io.dataplane.common.events;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A worker's sign of life, sent every second. */
public record WorkerHeartbeat(
    String workerId,
    List<String> groups,
    String version,
    double cpuLoad,
    long memoryUsedBytes,
    long memoryTotalBytes,
    double systemLoad,
    int slots,
    int freeSlots,
    List<RunningAttempt> running,
    Instant startedAt,
    boolean draining)
    implements Event {

  /** An attempt the worker is running now. */
  public record RunningAttempt(UUID runId, UUID taskRunId, int attempt) {}
}
