import { useState } from "react";
import { Link, useParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import { ErrorBox, Loading, Empty } from "../components/Status";
import { useMe } from "../Layout";
import { can } from "../permissions";

const SecretsDoc = graphql(`
  query Secrets($env: String!) {
    secrets(environment: $env) {
      name
      version
      grants {
        pipelines
        workerGroups
      }
      updatedAt
      updatedBy
      lastReadAt
    }
  }
`);
const SetSecretDoc = graphql(`
  mutation SetSecret($env: String!, $name: String!, $value: String!) {
    setSecret(environment: $env, name: $name, value: $value) {
      name
      version
    }
  }
`);

/** Secrets of an environment: names, versions and grants; a value can be set, never read. */
export function Secrets() {
  const { env = "" } = useParams();
  const { me } = useMe();
  const [{ data, fetching, error }, refetch] = useQuery({ query: SecretsDoc, variables: { env } });
  const mayManage = can(me, "SECRETS", env);
  if (error && !data) return <ErrorBox error={error} />;
  if (fetching && !data) return <Loading what="secrets" />;
  const secrets = data?.secrets ?? [];
  return (
    <>
      <h1>Secrets</h1>
      {mayManage && <SetValue env={env} onDone={() => refetch({ requestPolicy: "network-only" })} />}
      {secrets.length === 0 ? (
        <Empty>No secrets in {env}.</Empty>
      ) : (
        <table aria-label="Secrets">
          <thead>
            <tr><th>Secret</th><th>Version</th><th>Pipelines</th><th>Worker groups</th><th>Set</th><th>Last read</th></tr>
          </thead>
          <tbody>
            {secrets.map((s) => s && (
              <tr key={s.name}>
                <td>{mayManage ? <Link to={`/e/${env}/secrets/${s.name}`}>{s.name}</Link> : s.name}</td>
                <td>{s.version}</td>
                <td>{(s.grants?.pipelines ?? []).join(", ") || "—"}</td>
                <td>{(s.grants?.workerGroups ?? []).join(", ") || "any"}</td>
                <td>{s.updatedAt} {s.updatedBy && `by ${s.updatedBy}`}</td>
                <td>{s.lastReadAt ?? "never"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

/** A write-only form: the value goes to the API and is forgotten here at once. */
export function SetValue({ env, name: fixed, onDone }: { env: string; name?: string; onDone: () => void }) {
  const [state, set] = useMutation(SetSecretDoc);
  const [name, setName] = useState(fixed ?? "");
  const [value, setValue] = useState("");
  const [notice, setNotice] = useState("");
  return (
    <form
      className="inline"
      aria-label="Set a secret"
      onSubmit={async (e) => {
        e.preventDefault();
        const r = await set({ env, name, value });
        setValue("");
        if (!r.error) {
          setNotice(`Set ${name}: version ${r.data?.setSecret?.version}.`);
          onDone();
        }
      }}
    >
      {fixed === undefined && (
        <label>Name <input value={name} onChange={(e) => setName(e.target.value)} required pattern="[A-Za-z_][A-Za-z0-9_]*" /></label>
      )}
      <label>
        New value <input type="password" autoComplete="off" value={value} onChange={(e) => setValue(e.target.value)} required />
      </label>
      <button type="submit" disabled={state.fetching}>Set value</button>
      <span role="status" className="notice">{notice}</span>
      {state.error && <ErrorBox error={state.error} />}
    </form>
  );
}
