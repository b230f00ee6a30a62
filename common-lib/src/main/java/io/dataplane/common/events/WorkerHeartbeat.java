package io.dataplane.common.events;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A worker's sign of life, sent every second.
 *
 * @param sandbox how the worker contains tasks: {@code bwrap}, {@code none} (explicitly allowed
 *     unsandboxed) or {@code unavailable} (its sandbox cannot start: it takes no work); null from
 *     workers older than this field
 */
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
    boolean draining,
    String sandbox)
    implements Event {

  /** A heartbeat without the sandbox field (as workers before it sent). */
  public WorkerHeartbeat(
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
      boolean draining) {
    this(
        workerId,
        groups,
        version,
        cpuLoad,
        memoryUsedBytes,
        memoryTotalBytes,
        systemLoad,
        slots,
        freeSlots,
        running,
        startedAt,
        draining,
        null);
  }

  /** An attempt the worker is running now. */
  public record RunningAttempt(UUID runId, UUID taskRunId, int attempt) {}
}
