/**
 * A ledger (fire history, audit) whose rows the API gives as plain JSON objects: one column per
 * field of the rows, every value shown as text (never as HTML).
 */
export function rowsOf(value: unknown): Record<string, unknown>[] {
  const list = Array.isArray(value) ? value : (value as { items?: unknown } | null)?.items;
  return Array.isArray(list) ? list.filter((r): r is Record<string, unknown> => !!r && typeof r === "object") : [];
}

export function cellText(v: unknown): string {
  if (v === null || v === undefined) return "";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

export function Ledger({ value, label, empty }: { value: unknown; label: string; empty: string }) {
  const rows = rowsOf(value);
  if (rows.length === 0) return <p className="empty">{empty}</p>;
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return (
    <table aria-label={label}>
      <thead>
        <tr>{cols.map((c) => <th key={c}>{c}</th>)}</tr>
      </thead>
      <tbody>
        {rows.map((r, i) => (
          <tr key={i}>{cols.map((c) => <td key={c}>{cellText(r[c])}</td>)}</tr>
        ))}
      </tbody>
    </table>
  );
}
