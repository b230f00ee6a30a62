/** One attempt of one task, as the timeline draws it. */
export interface AttemptSpan {
  attempt: number;
  state?: string | null;
  /** when it started running; before that, when it was dispatched or claimed */
  start?: string | null;
  end?: string | null;
  workerId?: string | null;
}
export interface TimelineRow {
  taskKey: string;
  attempts: AttemptSpan[];
}
export interface Bar {
  taskKey: string;
  attempt: number;
  state: string;
  /** 0..100, % of the timeline's width */
  left: number;
  width: number;
  /** still running: drawn up to now */
  open: boolean;
  title: string;
}

/** The time range a run's timeline covers: its first start to its last end (or now, while something runs). */
export function extent(rows: TimelineRow[], now: number): { from: number; to: number } | null {
  let from = Infinity;
  let to = -Infinity;
  for (const r of rows)
    for (const a of r.attempts) {
      const s = a.start ? Date.parse(a.start) : NaN;
      if (Number.isNaN(s)) continue;
      from = Math.min(from, s);
      const e = a.end ? Date.parse(a.end) : now;
      to = Math.max(to, Number.isNaN(e) ? now : e, s);
    }
  if (from === Infinity) return null;
  return { from, to: Math.max(to, from + 1000) };
}

export function duration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** The bars of one row, laid out by time inside the extent; attempts that never started have none. */
export function barsOf(row: TimelineRow, range: { from: number; to: number }, now: number): Bar[] {
  const span = range.to - range.from;
  return row.attempts.flatMap((a) => {
    const s = a.start ? Date.parse(a.start) : NaN;
    if (Number.isNaN(s)) return [];
    const endParsed = a.end ? Date.parse(a.end) : NaN;
    const open = Number.isNaN(endParsed);
    const e = open ? now : endParsed;
    const left = ((s - range.from) / span) * 100;
    // a bar is never thinner than a sliver, so that a short attempt can still be seen and clicked
    const width = Math.max(((e - s) / span) * 100, 0.4);
    const state = a.state ?? "UNKNOWN";
    const title = `${row.taskKey} attempt ${a.attempt}: ${state}, ${duration(e - s)}${open ? " so far" : ""}${a.workerId ? ` on ${a.workerId}` : ""}`;
    return [{ taskKey: row.taskKey, attempt: a.attempt, state, left: Math.min(left, 100), width: Math.min(width, 100 - Math.min(left, 99.6)), open, title }];
  });
}

/** Which rows a scrolled window of `height` px shows (with `overscan` rows around): only those are rendered. */
export function visibleRows(count: number, rowHeight: number, scrollTop: number, height: number, overscan = 8): { first: number; last: number } {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((scrollTop + height) / rowHeight) + overscan);
  return { first, last };
}
