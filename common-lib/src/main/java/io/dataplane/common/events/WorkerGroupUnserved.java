package io.dataplane.common.events;

import java.time.Instant;
import java.util.List;

/**
 * Tasks of a worker group have waited for a worker for too long and no live worker serves the group
 * (none registered, or all lost, draining or without a sandbox). Sent once per outage, while it
 * lasts; {@code since} (the oldest waiting task's dispatch) names the outage.
 *
 * @param registered workers registered for the group, none of them live
 * @param waitingTasks task runs of the group handed out and not taken
 * @param pipelines the pipelines of those tasks (at most 20)
 */
public record WorkerGroupUnserved(
    String environment,
    String workerGroup,
    int registered,
    int waitingTasks,
    List<String> pipelines,
    Instant since)
    implements Event {}
