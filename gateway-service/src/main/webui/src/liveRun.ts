// A run followed live: the page reads the run once, then applies each `runUpdates` event to what it
// read (one task at a time) instead of reading the whole run again. It reads again only when an
// event shows that something was missed (a gap), when the live connection comes back, when the
// run ends (the final read brings the exact times, outputs and errors), and when the selected task
// ends (its outputs). Pure functions, tested in liveRun.test.ts.

export interface AttemptLike {
  attempt?: number | null;
  state?: string | null;
  outcome?: string | null;
  dispatchedAt?: string | null;
  claimedAt?: string | null;
  startedAt?: string | null;
  finishedAt?: string | null;
  workerId?: string | null;
  exitCode?: number | null;
  error?: string | null;
}
export interface TaskLike {
  taskKey?: string | null;
  state?: string | null;
  attempt?: number | null;
  error?: string | null;
  startedAt?: string | null;
  finishedAt?: string | null;
  waitingReason?: unknown;
  attempts?: (AttemptLike | null)[] | null;
}
export interface RunLike {
  state?: string | null;
  finishedAt?: string | null;
  waitingReason?: unknown;
  taskRuns?: (TaskLike | null)[] | null;
}
/** What `runUpdates` sends: a run's or a task run's change of state (`previous` is the state it left). */
export interface RunUpdateLike {
  kind?: string | null;
  taskKey?: string | null;
  attempt?: number | null;
  state?: string | null;
  previous?: string | null;
  error?: string | null;
}

export const TERMINAL_RUN = new Set(["SUCCEEDED", "FAILED", "CANCELLED"]);
export const TERMINAL_TASK = new Set(["SUCCEEDED", "FAILED", "CANCELLED", "SKIPPED", "UPSTREAM_FAILED"]);

const ended = (a: AttemptLike | null | undefined) => !!a && (!!a.finishedAt || !!a.outcome);

/**
 * Where a task run is in its life, as a number that only grows: PENDING, then per attempt n
 * QUEUED (10n+1), RUNNING (10n+2), QUEUED again for a retry after attempt n failed (10n+3), and
 * an end state last. A retry's next attempt, or a lost worker's re-queued one, has a higher n.
 */
export function taskOrder(t: TaskLike): number {
  const s = t.state ?? "";
  if (TERMINAL_TASK.has(s)) return Infinity;
  if (s === "" || s === "PENDING") return 0;
  const n = t.attempt ?? 0;
  if (s === "RUNNING") return n * 10 + 2;
  if (s === "QUEUED") return n * 10 + (ended(t.attempts?.find((a) => a?.attempt === n)) ? 3 : 1);
  return 0;
}

/** The same order for an update, read against the task it is about (a retry's QUEUED keeps the attempt that failed). */
export function updateOrder(u: RunUpdateLike, t: TaskLike): number {
  const s = u.state ?? "";
  if (TERMINAL_TASK.has(s)) return Infinity;
  if (s === "PENDING") return 0;
  const n = u.attempt ?? t.attempt ?? 0;
  if (s === "RUNNING") return n * 10 + 2;
  if (s === "QUEUED") return n * 10 + (u.previous === "RUNNING" && n === (t.attempt ?? 0) ? 3 : 1);
  return Number.MAX_SAFE_INTEGER; // a state this console does not know: newer than what it has
}

/**
 * What to do with an update of a task run: `older` (the task is already there or further: an event
 * from before the read, or a duplicate), `next` (it follows what the page has), `gap` (it is newer,
 * but the state it left is not the one the page has: something was missed, read the run again).
 */
export function judge(t: TaskLike, u: RunUpdateLike): "older" | "next" | "gap" {
  if (!u.state) return "older";
  if (TERMINAL_TASK.has(t.state ?? "")) return "older"; // a task run's end is final
  const ta = t.attempt ?? 0;
  const ua = u.attempt ?? ta;
  if (ua < ta) return "older";
  if (ua === ta && u.state === t.state) return "older";
  if (updateOrder(u, t) < taskOrder(t)) return "older";
  return u.previous == null || u.previous === t.state ? "next" : "gap";
}

function runOrder(state: string | null | undefined): number {
  if (!state) return -1;
  if (TERMINAL_RUN.has(state)) return 2;
  return state === "RUNNING" ? 1 : 0;
}

/** A task run after an update (a new object; what the update does not say is kept, times are the browser's until the next read). */
export function applyToTask<T extends TaskLike>(t: T, u: RunUpdateLike, now: number): T {
  const at = new Date(now).toISOString();
  const state = u.state ?? t.state ?? null;
  const n = u.attempt ?? t.attempt ?? 0;
  const retry = state === "QUEUED" && u.previous === "RUNNING" && n === (t.attempt ?? 0);
  const attempts = [...(t.attempts ?? [])];
  const i = attempts.findIndex((a) => a?.attempt === n);
  const cur = i >= 0 ? attempts[i] : null;
  const put = (a: AttemptLike) => (i >= 0 ? (attempts[i] = a) : attempts.push(a));
  const blank: AttemptLike = { attempt: n, state: "DISPATCHED", outcome: null, dispatchedAt: at, claimedAt: null, startedAt: null, finishedAt: null, workerId: null, exitCode: null, error: null };
  if (state === "QUEUED" && !retry) {
    // a new attempt: an earlier one still open was lost with its worker
    attempts.forEach((a, j) => {
      if (a && a.attempt !== n && !ended(a)) attempts[j] = { ...a, state: "LOST", outcome: "LOST", finishedAt: at };
    });
    if (!cur) put(blank);
  } else if (state === "QUEUED" && retry) {
    if (cur && !ended(cur)) put({ ...cur, state: "FAILED", outcome: "FAILED", finishedAt: at, error: u.error ?? cur.error ?? null });
  } else if (state === "RUNNING") {
    const a = cur ?? blank;
    put({ ...a, state: "RUNNING", claimedAt: a.claimedAt ?? at, startedAt: a.startedAt ?? at });
  } else if (state && TERMINAL_TASK.has(state) && cur && !ended(cur)) {
    put({ ...cur, state, outcome: state, finishedAt: at, error: u.error ?? cur.error ?? null });
  }
  const terminal = !!state && TERMINAL_TASK.has(state);
  return {
    ...t,
    state,
    attempt: n,
    error: u.error ?? t.error ?? null,
    startedAt: t.startedAt ?? (state === "RUNNING" ? at : null),
    finishedAt: terminal ? t.finishedAt ?? at : t.finishedAt ?? null,
    // why it waits is known only from a read: a reason for another state would be wrong
    waitingReason: state === t.state ? t.waitingReason : null,
    attempts,
  };
}

export interface Applied<R> {
  run: R;
  /** something was missed (or a task is unknown): read the run again */
  reread: boolean;
  /** the run reached an end state: read it a last time */
  ended: boolean;
  /** the task keys that changed */
  changed: Set<string>;
}

/** Applies updates, in the order they came, to a run; tasks the updates do not touch keep their objects. */
export function applyUpdates<R extends RunLike>(run: R, updates: readonly RunUpdateLike[], now: number): Applied<R> {
  const changed = new Set<string>();
  if (updates.length === 0) return { run, reread: false, ended: false, changed };
  const taskRuns = [...(run.taskRuns ?? [])];
  const index = new Map<string, number>();
  taskRuns.forEach((t, i) => t?.taskKey && index.set(t.taskKey, i));
  let { state, finishedAt, waitingReason } = run;
  let reread = false;
  let end = false;
  for (const u of updates) {
    if (u.kind === "RUN") {
      if (runOrder(u.state) <= runOrder(state)) continue;
      if (u.previous != null && u.previous !== state) reread = true;
      state = u.state;
      if (state !== "QUEUED") waitingReason = null;
      if (TERMINAL_RUN.has(state ?? "")) {
        end = true;
        finishedAt = finishedAt ?? new Date(now).toISOString();
      }
      continue;
    }
    const i = u.taskKey ? index.get(u.taskKey) : undefined;
    const t = i === undefined ? null : taskRuns[i];
    if (i === undefined || !t) {
      reread = true; // a task this page does not have
      continue;
    }
    const verdict = judge(t, u);
    if (verdict === "older") continue;
    if (verdict === "gap") reread = true;
    taskRuns[i] = applyToTask(t, u, now);
    changed.add(u.taskKey!);
  }
  if (changed.size === 0 && state === run.state) return { run, reread, ended: end, changed };
  return { run: { ...run, state, finishedAt, waitingReason, taskRuns: changed.size ? taskRuns : run.taskRuns }, reread, ended: end, changed };
}

/**
 * A fresh read, with the task objects of what the page showed kept where nothing changed: the
 * rows, bars and DAG nodes of unchanged tasks are then not drawn again.
 */
export function keepUnchanged<R extends RunLike>(prev: R | undefined, next: R): R {
  if (!prev?.taskRuns || !next.taskRuns) return next;
  const old = new Map<string, TaskLike>();
  for (const t of prev.taskRuns) if (t?.taskKey) old.set(t.taskKey, t);
  let kept = 0;
  const taskRuns = next.taskRuns.map((t) => {
    const o = t?.taskKey ? old.get(t.taskKey) : undefined;
    if (o && t && same(o, t)) {
      kept++;
      return o;
    }
    return t;
  });
  return kept ? { ...next, taskRuns } : next;
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
