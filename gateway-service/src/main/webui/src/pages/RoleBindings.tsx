import { useState } from "react";
import { useSearchParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import type { Permission, ScopeKind, SubjectKind } from "../gql/graphql";
import { ErrorBox, Loading, Empty } from "../components/Status";
import { useMe } from "../Layout";

const BindingsDoc = graphql(`
  query RoleBindings($environment: String, $subject: String) {
    roleBindings(environment: $environment, subject: $subject) {
      id
      subject
      subjectKind
      subjectName
      scopeKind
      environment
      resource
      permissions
      pending
      createdAt
      createdBy
    }
  }
`);
const BindDoc = graphql(`
  mutation BindRole($input: RoleBindingInput!) {
    bindRole(input: $input) {
      id
    }
  }
`);
const UnbindDoc = graphql(`
  mutation UnbindRole($id: String!) {
    unbindRole(id: $id) {
      id
    }
  }
`);

const PERMS: Permission[] = ["READ", "WRITE", "DELETE", "EXECUTE", "RELEASE", "SECRETS", "ADMIN"];

/** Role bindings (admins only): who may do what where; `?environment=` and `?subject=` filter. */
export function RoleBindings() {
  const { me } = useMe();
  const [search, setSearch] = useSearchParams();
  const environment = search.get("environment") || undefined;
  const subject = search.get("subject") || undefined;
  const [{ data, fetching, error }, refetch] = useQuery({ query: BindingsDoc, variables: { environment, subject }, pause: !me?.admin });
  const [unbindState, unbind] = useMutation(UnbindDoc);
  if (!me?.admin) return <Empty>Role bindings are for admins.</Empty>;
  const rows = data?.roleBindings ?? [];
  return (
    <>
      <h1>Role bindings</h1>
      <form className="inline" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>Environment <input value={environment ?? ""} onChange={(e) => setSearch({ ...Object.fromEntries(search), environment: e.target.value })} /></label>
        <label>Subject <input value={subject ?? ""} onChange={(e) => setSearch({ ...Object.fromEntries(search), subject: e.target.value })} /></label>
      </form>
      <NewBinding onDone={() => refetch({ requestPolicy: "network-only" })} />
      {unbindState.error && <ErrorBox error={unbindState.error} />}
      {error && !data ? (
        <ErrorBox error={error} />
      ) : fetching && !data ? (
        <Loading what="role bindings" />
      ) : rows.length === 0 ? (
        <Empty>No role bindings.</Empty>
      ) : (
        <table aria-label="Role bindings">
          <thead>
            <tr><th>Who</th><th>Scope</th><th>Permissions</th><th>Since</th><th></th></tr>
          </thead>
          <tbody>
            {rows.map((b) => b && (
              <tr key={b.id}>
                <td>{b.subjectKind === "GROUP" ? `group ${b.subject}` : b.subjectName ?? b.subject}{b.pending && " (pending first sign-in)"}</td>
                <td>{b.scopeKind === "PLATFORM" ? "platform" : `${b.scopeKind?.toLowerCase()} ${b.environment ?? ""}${b.resource ? "/" + b.resource : ""}`}</td>
                <td>{(b.permissions ?? []).join(" ")}</td>
                <td>{b.createdAt} {b.createdBy && `by ${b.createdBy}`}</td>
                <td>
                  <button
                    onClick={async () => {
                      if (window.confirm("Remove this binding?") && !(await unbind({ id: b.id! })).error) refetch({ requestPolicy: "network-only" });
                    }}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function NewBinding({ onDone }: { onDone: () => void }) {
  const [state, bind] = useMutation(BindDoc);
  const [f, setF] = useState({ subjectKind: "USER", subject: "", scopeKind: "ENVIRONMENT", environment: "", resource: "" });
  const [perms, setPerms] = useState<Permission[]>(["READ"]);
  const set = (k: keyof typeof f) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setF({ ...f, [k]: e.target.value });
  return (
    <details className="panel">
      <summary>New binding</summary>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          const r = await bind({
            input: {
              subjectKind: f.subjectKind as SubjectKind,
              subject: f.subject,
              scopeKind: f.scopeKind as ScopeKind,
              environment: f.scopeKind === "PLATFORM" ? undefined : f.environment,
              resource: f.scopeKind === "PIPELINE" || f.scopeKind === "WORKER_GROUP" ? f.resource : undefined,
              permissions: perms,
            },
          });
          if (!r.error) onDone();
        }}
      >
        <label className="field">Kind<select value={f.subjectKind} onChange={set("subjectKind")}><option>USER</option><option>GROUP</option></select></label>
        <label className="field">User (name or subject) or group<input value={f.subject} onChange={set("subject")} required /></label>
        <label className="field">Scope
          <select value={f.scopeKind} onChange={set("scopeKind")}><option>PLATFORM</option><option>ENVIRONMENT</option><option>PIPELINE</option><option>WORKER_GROUP</option></select>
        </label>
        {f.scopeKind !== "PLATFORM" && <label className="field">Environment<input value={f.environment} onChange={set("environment")} required /></label>}
        {(f.scopeKind === "PIPELINE" || f.scopeKind === "WORKER_GROUP") && (
          <label className="field">{f.scopeKind === "PIPELINE" ? "Pipeline" : "Worker group"}<input value={f.resource} onChange={set("resource")} required /></label>
        )}
        <fieldset>
          <legend>Permissions</legend>
          {PERMS.map((p) => (
            <label key={p}>
              <input type="checkbox" checked={perms.includes(p)} onChange={(e) => setPerms(e.target.checked ? [...perms, p] : perms.filter((x) => x !== p))} /> {p}
            </label>
          ))}
        </fieldset>
        {state.error && <ErrorBox error={state.error} />}
        <button type="submit" disabled={state.fetching}>Bind</button>
      </form>
    </details>
  );
}
