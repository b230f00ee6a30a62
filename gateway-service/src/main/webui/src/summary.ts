/** What the pipelines list shows of each pipeline, worked out from its recent runs and schedules. */
export interface RunLike {
  pipeline?: string | null;
  state?: string | null;
  createdAt?: string | null;
  startedAt?: string | null;
  finishedAt?: string | null;
}
export interface ScheduleLike {
  pipeline?: string | null;
  nextFireAt?: string | null;
  state?: string | null;
}
export interface PipelineSummary {
  lastState?: string;
  lastRunAt?: string;
  /** durations in ms of the most recent finished runs, newest first (at most `keep`) */
  durations: number[];
  nextFireAt?: string;
}

/**
 * Per pipeline: the newest run's state, the durations of its latest finished runs and the earliest
 * next fire of its enabled schedules. `runs` may come in any order.
 */
export function summarize(
  runs: (RunLike | null)[],
  schedules: (ScheduleLike | null)[],
  keep = 5,
): Record<string, PipelineSummary> {
  const out: Record<string, PipelineSummary> = {};
  const of = (p: string) => (out[p] ??= { durations: [] });
  const sorted = runs
    .filter((r): r is RunLike => !!r?.pipeline)
    .sort((a, b) => (b.createdAt ?? "").localeCompare(a.createdAt ?? ""));
  for (const r of sorted) {
    const s = of(r.pipeline!);
    if (s.lastState === undefined) {
      s.lastState = r.state ?? undefined;
      s.lastRunAt = r.createdAt ?? undefined;
    }
    if (r.startedAt && r.finishedAt && s.durations.length < keep) {
      const d = Date.parse(r.finishedAt) - Date.parse(r.startedAt);
      if (Number.isFinite(d) && d >= 0) s.durations.push(d);
    }
  }
  for (const sc of schedules) {
    if (!sc?.pipeline || !sc.nextFireAt || (sc.state && sc.state !== "ENABLED")) continue;
    const s = of(sc.pipeline);
    if (!s.nextFireAt || Date.parse(sc.nextFireAt) < Date.parse(s.nextFireAt)) s.nextFireAt = sc.nextFireAt;
  }
  return out;
}

/** 850 ms, 12 s, 3 min 5 s, 2 h 4 min */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
}
