import { useEffect, useState } from "react";
import { barsOf, extent, duration, visibleRows, type TimelineRow } from "../timeline";

const ROW = 22;
const HEIGHT = 320;

/**
 * A run's timeline (Gantt): one row per task, one bar per attempt, laid out by time. Only the rows
 * in view are rendered, so a run of thousands of tasks scrolls as lightly as one of ten.
 */
export function Timeline({
  rows,
  live,
  onPick,
}: {
  rows: TimelineRow[];
  /** something still runs: open bars grow with the clock */
  live: boolean;
  onPick?: (taskKey: string, attempt: number) => void;
}) {
  const [now, setNow] = useState(() => Date.now());
  const [scrollTop, setScrollTop] = useState(0);
  useEffect(() => {
    if (!live) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [live]);
  const range = extent(rows, now);
  if (!range) return <p className="empty">No attempt has started yet.</p>;
  const { first, last } = visibleRows(rows.length, ROW, scrollTop, HEIGHT);
  return (
    <div className="timeline" data-testid="timeline">
      <div className="timeline-axis muted" aria-hidden="true">
        <span>{new Date(range.from).toISOString().slice(11, 19)}</span>
        <span>{duration(range.to - range.from)}</span>
        <span>{new Date(range.to).toISOString().slice(11, 19)}</span>
      </div>
      <div
        className="timeline-scroll"
        style={{ height: Math.min(HEIGHT, rows.length * ROW + 2) }}
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
        tabIndex={0}
        role="region"
        aria-label={`Timeline of ${rows.length} tasks`}
      >
        <div style={{ height: rows.length * ROW, position: "relative" }}>
          {rows.slice(first, last).map((r, i) => (
            <div key={r.taskKey} className="timeline-row" data-task={r.taskKey} style={{ top: (first + i) * ROW, height: ROW }}>
              <span className="timeline-label" title={r.taskKey}>{r.taskKey}</span>
              <span className="timeline-track">
                {barsOf(r, range, now).map((b) => (
                  <button
                    key={b.attempt}
                    type="button"
                    className={`timeline-bar state-${b.state.toLowerCase()}${b.open ? " open" : ""}`}
                    style={{ left: `${b.left}%`, width: `${b.width}%` }}
                    title={b.title}
                    aria-label={b.title}
                    data-attempt={b.attempt}
                    onClick={() => onPick?.(b.taskKey, b.attempt)}
                  />
                ))}
              </span>
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}
