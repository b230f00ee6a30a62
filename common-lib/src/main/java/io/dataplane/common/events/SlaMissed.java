package io.dataplane.common.events;

import java.time.Instant;
import java.util.UUID;

/**
 * A run was still unfinished when its pipeline's SLA said it must have ended ({@code sla:} in the
 * definition). Sent once per run, while it still runs (or, when the miss is noticed only as the run
 * ends, then).
 *
 * @param dueAt when the run had to have ended
 * @param sla what was missed, e.g. {@code maxDuration PT30M} or {@code deadline 06:00 Europe/Paris}
 * @param state the run's state when the miss was noticed
 */
public record SlaMissed(
    UUID runId, String environment, String pipeline, Instant dueAt, String sla, RunState state)
    implements Event {}
