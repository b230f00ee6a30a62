import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import type { Permission } from "../gql/graphql";
import { ErrorBox, Loading, Empty } from "../components/Status";
import { useMe } from "../Layout";
import { can, type Perm } from "../permissions";

const ApiKeysDoc = graphql(`
  query ApiKeys($all: Boolean) {
    apiKeys(all: $all) {
      id
      name
      prefix
      owner
      createdAt
      expiresAt
      revokedAt
      scope {
        environment
        pipeline
        permissions
      }
    }
  }
`);
const CreateKeyDoc = graphql(`
  mutation CreateApiKey($input: ApiKeyInput!) {
    createApiKey(input: $input) {
      key
      apiKey {
        id
        name
      }
    }
  }
`);
const RevokeKeyDoc = graphql(`
  mutation RevokeApiKey($id: String!) {
    revokeApiKey(id: $id) {
      id
      revokedAt
    }
  }
`);

const KEY_PERMS: Perm[] = ["READ", "WRITE", "EXECUTE", "RELEASE", "DELETE", "SECRETS"];

/** API keys: yours (admins: everyone's), create one (the key shown once) and revoke. */
export function ApiKeys() {
  const { me, environments } = useMe();
  const [all, setAll] = useState(false);
  const [{ data, fetching, error }, refetch] = useQuery({ query: ApiKeysDoc, variables: { all } });
  const [revokeState, revoke] = useMutation(RevokeKeyDoc);
  const keys = data?.apiKeys ?? [];
  return (
    <>
      <h1>API keys</h1>
      {me?.admin && (
        <label><input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} /> everyone's keys</label>
      )}
      <NewKey environments={environments} onDone={() => refetch({ requestPolicy: "network-only" })} />
      {revokeState.error && <ErrorBox error={revokeState.error} />}
      {error && !data ? (
        <ErrorBox error={error} />
      ) : fetching && !data ? (
        <Loading what="API keys" />
      ) : keys.length === 0 ? (
        <Empty>No API keys.</Empty>
      ) : (
        <table aria-label="API keys">
          <thead>
            <tr><th>Name</th><th>Prefix</th><th>Owner</th><th>Scope</th><th>Created</th><th>Expires</th><th>State</th></tr>
          </thead>
          <tbody>
            {keys.map((k) => k && (
              <tr key={k.id}>
                <td>{k.name}</td>
                <td><code>{k.prefix}</code></td>
                <td>{k.owner}</td>
                <td>{(k.scope ?? []).map((s) => s && `${s.environment}${s.pipeline ? "/" + s.pipeline : ""}: ${(s.permissions ?? []).join(" ")}`).join("; ")}</td>
                <td>{k.createdAt}</td>
                <td>{k.expiresAt}</td>
                <td>
                  {k.revokedAt ? (
                    `revoked ${k.revokedAt}`
                  ) : (
                    <button
                      onClick={async () => {
                        if (window.confirm(`Revoke ${k.name}? Whatever uses it stops working at once.`) && !(await revoke({ id: k.id! })).error)
                          refetch({ requestPolicy: "network-only" });
                      }}
                    >
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

/** The form: a key may hold only permissions its creator holds, so only those are offered. */
function NewKey({ environments, onDone }: { environments: string[]; onDone: () => void }) {
  const { me } = useMe();
  const [state, create] = useMutation(CreateKeyDoc);
  const [name, setName] = useState("");
  const [env, setEnv] = useState(environments[0] ?? "");
  const [pipeline, setPipeline] = useState("");
  const [ttl, setTtl] = useState("90");
  const [perms, setPerms] = useState<Perm[]>(["EXECUTE"]);
  const [created, setCreated] = useState<{ key: string; name: string } | null>(null);
  const [copied, setCopied] = useState("");
  const offered = KEY_PERMS.filter((p) => can(me, p, env, pipeline || undefined));
  if (environments.length === 0) return null;
  return (
    <details className="panel" open={!!created}>
      <summary>New API key</summary>
      {created ? (
        <div role="status" className="once">
          <p>The key <strong>{created.name}</strong>: copy it now, it is never shown again.</p>
          <code data-testid="new-key">{created.key}</code>{" "}
          <button
            onClick={async () => {
              await navigator.clipboard.writeText(created.key);
              setCopied("Copied.");
            }}
          >
            Copy
          </button>{" "}
          {copied}{" "}
          <button onClick={() => { setCreated(null); setCopied(""); }}>Done</button>
        </div>
      ) : (
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            const r = await create({
              input: {
                name,
                ttlDays: Number(ttl),
                scope: [{ environment: env, pipeline: pipeline || undefined, permissions: perms.filter((p) => offered.includes(p)) as Permission[] }],
              },
            });
            if (r.data?.createApiKey?.key) {
              setCreated({ key: r.data.createApiKey.key, name });
              setName("");
              onDone();
            }
          }}
        >
          <label className="field">Name<input value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} /></label>
          <label className="field">Environment
            <select value={env} onChange={(e) => setEnv(e.target.value)}>{environments.map((n) => <option key={n}>{n}</option>)}</select>
          </label>
          <label className="field">Pipeline (optional: the whole environment)<input value={pipeline} onChange={(e) => setPipeline(e.target.value)} /></label>
          <fieldset>
            <legend>Permissions</legend>
            {offered.length === 0 && <p>You hold no permission there to give a key.</p>}
            {offered.map((p) => (
              <label key={p}>
                <input type="checkbox" checked={perms.includes(p)} onChange={(e) => setPerms(e.target.checked ? [...perms, p] : perms.filter((x) => x !== p))} /> {p}
              </label>
            ))}
          </fieldset>
          <label className="field">Lifetime (days)<input type="number" min={1} value={ttl} onChange={(e) => setTtl(e.target.value)} /></label>
          {state.error && <ErrorBox error={state.error} />}
          <button type="submit" disabled={state.fetching || offered.length === 0}>Create key</button>
        </form>
      )}
    </details>
  );
}
