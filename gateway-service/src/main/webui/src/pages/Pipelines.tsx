import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { useQuery } from "urql";
import { graphql } from "../gql";
import { ErrorBox, Loading, Empty, StateBadge } from "../components/Status";
import { useMe } from "../Layout";
import { can } from "../permissions";
import { summarize, formatDuration } from "../summary";

const PipelinesDoc = graphql(`
  query Pipelines($env: String!) {
    pipelines(environment: $env) {
      name
      latestReleaseId
      updatedAt
      updatedBy
    }
    runs(environment: $env, limit: 200) {
      items {
        pipeline
        state
        createdAt
        startedAt
        finishedAt
      }
    }
    schedules(environment: $env) {
      pipeline
      nextFireAt
      state
    }
  }
`);

export function Pipelines() {
  const { env = "" } = useParams();
  const { me } = useMe();
  const navigate = useNavigate();
  const [name, setName] = useState("");
  const [{ data, fetching, error }] = useQuery({ query: PipelinesDoc, variables: { env } });
  const pipelines = data?.pipelines ?? [];
  const summary = summarize(data?.runs?.items ?? [], data?.schedules ?? []);
  return (
    <>
      <h1>Pipelines</h1>
      {can(me, "WRITE", env) && (
        <form
          className="inline"
          onSubmit={(e) => {
            e.preventDefault();
            if (/^[a-z0-9][a-z0-9-_]{0,62}$/.test(name)) navigate(`/e/${env}/pipelines/${name}?new=1`);
          }}
        >
          <label>
            New pipeline <input value={name} onChange={(e) => setName(e.target.value)} placeholder="name" pattern="[a-z0-9][a-z0-9\-_]{0,62}" required />
          </label>
          <button type="submit">Create</button>
        </form>
      )}
      {error && <ErrorBox error={error} />}
      {fetching && !data ? (
        <Loading what="pipelines" />
      ) : pipelines.length === 0 ? (
        <Empty>No pipelines in {env}.</Empty>
      ) : (
        <table>
          <thead>
            <tr><th>Pipeline</th><th>Released</th><th>Last run</th><th>Recent durations</th><th>Next fire</th><th>Changed</th><th>Links</th></tr>
          </thead>
          <tbody>
            {pipelines.map((p) => p && (
              <tr key={p.name} data-pipeline={p.name}>
                <td><Link to={`/e/${env}/pipelines/${p.name}`}>{p.name}</Link></td>
                <td>{p.latestReleaseId ? "yes" : "draft only"}</td>
                <td>{summary[p.name!]?.lastState ? <StateBadge state={summary[p.name!].lastState} /> : "never run"}</td>
                <td className="spark">{(summary[p.name!]?.durations ?? []).map(formatDuration).join(" · ") || "—"}</td>
                <td>{summary[p.name!]?.nextFireAt ?? "—"}</td>
                <td>{p.updatedAt} {p.updatedBy && `by ${p.updatedBy}`}</td>
                <td>
                  <Link to={`/e/${env}/runs?pipeline=${p.name}`}>runs</Link>{" "}
                  <Link to={`/e/${env}/schedules?pipeline=${p.name}`}>schedules</Link>{" "}
                  <Link to={`/e/${env}/pipelines/${p.name}/files`}>files</Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
