import { useState } from "react";
import { useNavigate, useParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import { ErrorBox, Loading, Empty } from "../components/Status";
import { useMe } from "../Layout";
import { can } from "../permissions";
import { SetValue } from "./Secrets";

const SecretDoc = graphql(`
  query SecretDetail($env: String!, $name: String!) {
    secret(environment: $env, name: $name) {
      name
      version
      grants {
        pipelines
        workerGroups
      }
      createdAt
      createdBy
      updatedAt
      updatedBy
      lastReadAt
    }
    secretAudit(environment: $env, name: $name) {
      id
      at
      action
      outcome
      actor
      version
      pipeline
      workerGroup
      runId
      attempt
      reason
    }
  }
`);
const GrantDoc = graphql(`
  mutation GrantSecret($env: String!, $name: String!, $pipelines: [String], $workerGroups: [String]) {
    grantSecret(environment: $env, name: $name, pipelines: $pipelines, workerGroups: $workerGroups) {
      name
    }
  }
`);
const DeleteSecretDoc = graphql(`
  mutation DeleteSecret($env: String!, $name: String!) {
    deleteSecret(environment: $env, name: $name)
  }
`);

const list = (s: string) => s.split(",").map((x) => x.trim()).filter(Boolean);

/** One secret (for those holding `secrets`): versions, grants, its audit; never its value. */
export default function SecretPage() {
  const { env = "", name = "" } = useParams();
  const { me } = useMe();
  const navigate = useNavigate();
  const [{ data, fetching, error }, refetch] = useQuery({ query: SecretDoc, variables: { env, name } });
  const [grantState, grant] = useMutation(GrantDoc);
  const [deleteState, remove] = useMutation(DeleteSecretDoc);
  const [edit, setEdit] = useState<{ pipelines: string; workerGroups: string } | null>(null);
  if (!can(me, "SECRETS", env)) return <Empty>You may not manage the secrets of {env}.</Empty>;
  if (fetching && !data) return <Loading what="secret" />;
  const s = data?.secret;
  if (!s) return error ? <ErrorBox error={error} /> : <Empty>No secret “{name}” in {env}.</Empty>;
  const again = () => refetch({ requestPolicy: "network-only" });
  const grants = edit ?? { pipelines: (s.grants?.pipelines ?? []).join(", "), workerGroups: (s.grants?.workerGroups ?? []).join(", ") };
  return (
    <>
      <h1>Secret {s.name}</h1>
      <dl className="facts">
        <dt>Version</dt><dd>{s.version}</dd>
        <dt>Value</dt><dd>***</dd>
        <dt>Set</dt><dd>{s.updatedAt} by {s.updatedBy}</dd>
        <dt>Last read</dt><dd>{s.lastReadAt ?? "never"}</dd>
      </dl>
      <SetValue env={env} name={name} onDone={again} />
      <form
        className="inline"
        aria-label="Grants"
        onSubmit={async (e) => {
          e.preventDefault();
          const r = await grant({ env, name, pipelines: list(grants.pipelines), workerGroups: list(grants.workerGroups) });
          if (!r.error) {
            setEdit(null);
            again();
          }
        }}
      >
        <label>Pipelines <input value={grants.pipelines} onChange={(e) => setEdit({ ...grants, pipelines: e.target.value })} /></label>
        <label>Worker groups <input value={grants.workerGroups} onChange={(e) => setEdit({ ...grants, workerGroups: e.target.value })} /></label>
        <button type="submit" disabled={grantState.fetching}>Save grants</button>
        <button
          type="button"
          onClick={async () => {
            if (window.confirm(`Delete secret ${name}?`) && !(await remove({ env, name })).error) navigate(`/e/${env}/secrets`);
          }}
        >
          Delete
        </button>
      </form>
      {(grantState.error ?? deleteState.error) && <ErrorBox error={(grantState.error ?? deleteState.error)!} />}
      <h2>Audit</h2>
      {(data?.secretAudit ?? []).length === 0 ? (
        <Empty>Nothing yet.</Empty>
      ) : (
        <table aria-label="Secret audit">
          <thead>
            <tr><th>At</th><th>Action</th><th>Outcome</th><th>Who</th><th>Version</th><th>Pipeline</th><th>Worker group</th><th>Run</th><th>Reason</th></tr>
          </thead>
          <tbody>
            {(data?.secretAudit ?? []).map((a) => a && (
              <tr key={String(a.id)}>
                <td>{a.at}</td><td>{a.action}</td><td>{a.outcome}</td><td>{a.actor}</td><td>{a.version}</td>
                <td>{a.pipeline}</td><td>{a.workerGroup}</td>
                <td>{a.runId && <a href={`/e/${env}/runs/${a.runId}`}>{a.runId.slice(0, 8)}</a>}{a.attempt ? ` #${a.attempt}` : ""}</td>
                <td>{a.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
