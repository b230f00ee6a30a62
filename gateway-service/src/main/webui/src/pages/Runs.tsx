import { Link, useParams, useSearchParams } from "react-router";
import { useQuery } from "urql";
import { graphql } from "../gql";
import { ErrorBox, Loading, Empty, StateBadge } from "../components/Status";

const RunsDoc = graphql(`
  query Runs($env: String!, $pipeline: String, $state: String, $cursor: String) {
    runs(environment: $env, pipeline: $pipeline, state: $state, cursor: $cursor, limit: 25) {
      items {
        id
        pipeline
        state
        trigger
        createdAt
        finishedAt
      }
      nextCursor
    }
  }
`);

const STATES = ["", "QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"];

/** Runs with their filter and page in the URL, so that a view can be shared. */
export function Runs() {
  const { env = "" } = useParams();
  const [search, setSearch] = useSearchParams();
  const pipeline = search.get("pipeline") || null;
  const state = search.get("state") || null;
  const cursor = search.get("cursor") || null;
  const [{ data, fetching, error }] = useQuery({ query: RunsDoc, variables: { env, pipeline, state, cursor } });
  const set = (k: string, v: string | null) => {
    const next = new URLSearchParams(search);
    if (v) next.set(k, v);
    else next.delete(k);
    if (k !== "cursor") next.delete("cursor");
    setSearch(next);
  };
  const items = data?.runs?.items ?? [];
  return (
    <>
      <h1>Runs</h1>
      <form className="inline" onSubmit={(e) => e.preventDefault()}>
        <label>
          Pipeline <input defaultValue={pipeline ?? ""} onBlur={(e) => set("pipeline", e.target.value.trim() || null)} />
        </label>
        <label>
          State{" "}
          <select value={state ?? ""} onChange={(e) => set("state", e.target.value || null)}>
            {STATES.map((s) => <option key={s} value={s}>{s || "any"}</option>)}
          </select>
        </label>
      </form>
      {error && <ErrorBox error={error} />}
      {fetching && !data ? (
        <Loading what="runs" />
      ) : items.length === 0 ? (
        <Empty>No runs match.</Empty>
      ) : (
        <table>
          <thead>
            <tr><th>Run</th><th>Pipeline</th><th>State</th><th>Trigger</th><th>Created</th><th>Finished</th></tr>
          </thead>
          <tbody>
            {items.map((r) => r && (
              <tr key={r.id}>
                <td><Link to={`/e/${env}/runs/${r.id}`}>{r.id?.slice(0, 8)}</Link></td>
                <td>{r.pipeline}</td>
                <td><StateBadge state={r.state} /></td>
                <td>{r.trigger}</td>
                <td>{r.createdAt}</td>
                <td>{r.finishedAt}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="toolbar">
        {cursor && <button onClick={() => set("cursor", null)}>First page</button>}
        {data?.runs?.nextCursor && <button onClick={() => set("cursor", data.runs!.nextCursor!)}>Next page</button>}
      </div>
    </>
  );
}
