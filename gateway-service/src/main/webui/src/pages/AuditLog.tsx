import { Link, useSearchParams } from "react-router";
import { useQuery } from "urql";
import { graphql } from "../gql";
import { ErrorBox, Loading, Empty } from "../components/Status";
import { useMe } from "../Layout";

const AuditDoc = graphql(`
  query AuditLog($environment: String, $actor: String, $action: String, $outcome: String, $before: BigInteger, $limit: Int) {
    auditLog(environment: $environment, actor: $actor, action: $action, outcome: $outcome, before: $before, limit: $limit) {
      id
      at
      actor
      action
      outcome
      environment
      target
      summary
    }
  }
`);

const PAGE = 50;
const FILTERS = ["environment", "actor", "action", "outcome"] as const;

/** The audit log (admins only), newest first: filters and the page are in the URL. */
export function AuditLog() {
  const { me } = useMe();
  const [search, setSearch] = useSearchParams();
  const vars = Object.fromEntries(FILTERS.map((k) => [k, search.get(k) || undefined]));
  const before = search.get("before") ? Number(search.get("before")) : undefined;
  const [{ data, fetching, error }] = useQuery({ query: AuditDoc, variables: { ...vars, before, limit: PAGE }, pause: !me?.admin });
  if (!me?.admin) return <Empty>The audit log is for admins.</Empty>;
  const rows = data?.auditLog ?? [];
  const last = rows[rows.length - 1];
  const next = new URLSearchParams(search);
  if (last) next.set("before", String(last.id));
  return (
    <>
      <h1>Audit log</h1>
      <form className="inline" role="search" onSubmit={(e) => e.preventDefault()}>
        {FILTERS.map((k) => (
          <label key={k}>
            {k}{" "}
            <input
              value={search.get(k) ?? ""}
              onChange={(e) => {
                const s = new URLSearchParams(search);
                s.delete("before");
                if (e.target.value) s.set(k, e.target.value);
                else s.delete(k);
                setSearch(s);
              }}
            />
          </label>
        ))}
      </form>
      {error && <ErrorBox error={error} />}
      {fetching && !data ? (
        <Loading what="the audit log" />
      ) : rows.length === 0 ? (
        <Empty>No entries.</Empty>
      ) : (
        <table aria-label="Audit log">
          <thead>
            <tr><th>At</th><th>Who</th><th>Action</th><th>Outcome</th><th>Environment</th><th>Target</th><th>Summary</th></tr>
          </thead>
          <tbody>
            {rows.map((a) => a && (
              <tr key={String(a.id)}>
                <td>{a.at}</td><td>{a.actor}</td><td>{a.action}</td><td>{a.outcome}</td><td>{a.environment}</td><td>{a.target}</td><td>{a.summary}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="toolbar">
        {before !== undefined && <Link to={"?" + new URLSearchParams([...search].filter(([k]) => k !== "before")).toString()}>Newest</Link>}
        {rows.length === PAGE && <Link to={"?" + next.toString()}>Older</Link>}
      </div>
    </>
  );
}
