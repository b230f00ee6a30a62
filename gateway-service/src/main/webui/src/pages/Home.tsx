import { Link, useParams } from "react-router";
import { useQuery } from "urql";
import { graphql } from "../gql";
import { ErrorBox, Loading, Empty, StateBadge } from "../components/Status";

const HomeDoc = graphql(`
  query Home($env: String!) {
    runs(environment: $env, limit: 10) {
      items {
        id
        pipeline
        state
        createdAt
        finishedAt
      }
    }
    workers(environment: $env) {
      workerId
      state
      slots
      freeSlots
    }
  }
`);

export function Home() {
  const { env = "" } = useParams();
  const [{ data, fetching, error }] = useQuery({ query: HomeDoc, variables: { env } });
  if (error && !data) return <ErrorBox error={error} />;
  if (fetching && !data) return <Loading what="recent runs" />;
  const runs = data?.runs?.items ?? [];
  const failing = [...new Set(runs.filter((r) => r?.state === "FAILED").map((r) => r!.pipeline))];
  const workers = data?.workers ?? [];
  return (
    <>
      <h1>{env}</h1>
      <section aria-labelledby="recent">
        <h2 id="recent">Recent runs</h2>
        {runs.length === 0 ? (
          <Empty>No runs yet.</Empty>
        ) : (
          <table>
            <thead>
              <tr><th>Run</th><th>Pipeline</th><th>State</th><th>Started</th></tr>
            </thead>
            <tbody>
              {runs.map((r) => r && (
                <tr key={r.id}>
                  <td><Link to={`/e/${env}/runs/${r.id}`}>{r.id?.slice(0, 8)}</Link></td>
                  <td>{r.pipeline}</td>
                  <td><StateBadge state={r.state} /></td>
                  <td>{r.createdAt}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="failing">
        <h2 id="failing">Failing pipelines</h2>
        {failing.length === 0 ? <Empty>None of the recent runs failed.</Empty> : (
          <ul>{failing.map((p) => <li key={p}><Link to={`/e/${env}/pipelines/${p}`}>{p}</Link></li>)}</ul>
        )}
      </section>
      <section aria-labelledby="workers">
        <h2 id="workers">Workers online</h2>
        <p data-testid="workers-online">
          {workers.length} worker{workers.length === 1 ? "" : "s"},{" "}
          {workers.reduce((n, w) => n + (w?.freeSlots ?? 0), 0)} free slots
        </p>
      </section>
    </>
  );
}
