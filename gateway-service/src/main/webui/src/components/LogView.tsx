export interface Line {
  seq: number;
  attempt: number;
  stream?: string | null;
  text?: string | null;
}

/**
 * A task's log. Lines are text nodes in a <pre>: never HTML, whatever a task prints. The secret
 * already arrives redacted as *** from the worker.
 */
export function LogView({ lines, filter = "" }: { lines: Line[]; filter?: string }) {
  const shown = filter ? lines.filter((l) => (l.text ?? "").includes(filter)) : lines;
  if (shown.length === 0) return <p className="empty">No log lines yet.</p>;
  return (
    <pre className="log" data-testid="log" aria-live="polite" tabIndex={0}>
      {shown.map((l) => (
        <div key={`${l.attempt}:${l.seq}`} className={l.stream === "STDERR" ? "stderr" : undefined}>
          {l.text}
        </div>
      ))}
    </pre>
  );
}
