export interface Reason {
  kind?: string | null;
  message?: string | null;
  position?: number | null;
  until?: string | null;
  tasks?: (string | null)[] | null;
  runs?: (string | null)[] | null;
}

/** Why a run or a task waits (CONCURRENCY_LIMIT, NO_WORKER, SLOTS_BUSY, DISPATCHED, RETRY_BACKOFF, UPSTREAM_RUNNING): its kind and the engine's sentence, as text. */
export function Waiting({ reason, compact = false }: { reason?: Reason | null; compact?: boolean }) {
  if (!reason?.kind) return null;
  const extra = [
    reason.position != null ? `#${reason.position} in the queue` : "",
    reason.until ? `until ${reason.until}` : "",
  ].filter(Boolean).join(", ");
  if (compact)
    return (
      <span className="waiting-kind" data-waiting={reason.kind} title={reason.message ?? undefined}>
        <code>{reason.kind}</code> {reason.message}{extra && ` (${extra})`}
      </span>
    );
  return (
    <p className="waiting" role="status" data-waiting={reason.kind}>
      <strong>Waiting: </strong><code>{reason.kind}</code> {reason.message}{extra && ` (${extra})`}
    </p>
  );
}

/** A run's SLA: when it is due and, if so, when it was found missed. */
export function Sla({ dueAt, missedAt }: { dueAt?: string | null; missedAt?: string | null }) {
  if (!dueAt && !missedAt) return <>none</>;
  return (
    <span data-testid="sla">
      {dueAt && <>due at {dueAt}</>}
      {missedAt ? (
        <> <span className="badge sla-missed">SLA MISSED</span> at {missedAt}</>
      ) : null}
    </span>
  );
}
