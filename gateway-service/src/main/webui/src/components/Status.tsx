import type { CombinedError } from "urql";
import { describeError } from "../api";

/** An API error, shown with its message and code: never a blank page. */
export function ErrorBox({ error }: { error: CombinedError }) {
  return (
    <div role="alert" className="error">
      {describeError(error).map((e, i) => (
        <p key={i}>
          {e.code && <code className="code">{e.code}</code>} {e.message}
        </p>
      ))}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" aria-busy="true">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: React.ReactNode }) {
  return <p className="empty">{children}</p>;
}

export function StateBadge({ state }: { state?: string | null }) {
  const s = state ?? "UNKNOWN";
  return <span className={`badge state-${s.toLowerCase()}`}>{s}</span>;
}
