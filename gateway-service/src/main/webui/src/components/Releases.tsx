import { useState } from "react";
import { Link } from "react-router";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import { ErrorBox, Loading, Empty } from "./Status";
import { cellText } from "./Ledger";
import { useMe } from "../Layout";
import { can } from "../permissions";

const ReleasesDoc = graphql(`
  query Releases($env: String!, $name: String!) {
    releases(environment: $env, pipeline: $name) {
      id
      digest
      bundleDigest
      createdAt
      createdBy
    }
    deployments(environment: $env, pipeline: $name) {
      id
      kind
      releaseId
      fromReleaseId
      fromEnvironment
      deployedAt
      deployedBy
      workerGroupMap
    }
  }
`);
const DiffDoc = graphql(`
  query ReleaseDiff($from: String!, $to: String!) {
    releaseDiff(from: $from, to: $to)
  }
`);
const PromoteDoc = graphql(`
  mutation PromoteRelease($releaseId: String!, $target: String!, $map: [WorkerGroupMapping]) {
    promoteRelease(releaseId: $releaseId, targetEnvironment: $target, workerGroupMap: $map) {
      id
      environment
    }
  }
`);
const RollbackDoc = graphql(`
  mutation RollbackPipeline($env: String!, $name: String!, $releaseId: String!) {
    rollbackPipeline(environment: $env, pipeline: $name, releaseId: $releaseId) {
      name
      latestReleaseId
    }
  }
`);

export interface Change {
  path: string;
  kind: string;
  from?: unknown;
  to?: unknown;
}

/** The changes of a `releaseDiff` answer, as rows. */
export function changesOf(diff: unknown): Change[] {
  const list = (diff as { changes?: unknown } | null)?.changes;
  if (!Array.isArray(list)) return [];
  return list.flatMap((c) => (c && typeof c === "object" && typeof (c as Change).path === "string" ? [c as Change] : []));
}

/** "a=b, c=d": a promotion's worker group map; an entry without "=" is an error. */
export function parseGroupMap(text: string): { map: { from: string; to: string }[]; error?: string } {
  const map: { from: string; to: string }[] = [];
  for (const part of text.split(",").map((p) => p.trim()).filter(Boolean)) {
    const [from, to, ...rest] = part.split("=").map((s) => s.trim());
    if (!from || !to || rest.length > 0) return { map, error: `worker group map: “${part}” is not source=target` };
    map.push({ from, to });
  }
  return { map };
}

const short = (id?: string | null) => id?.slice(0, 8) ?? "";

/**
 * A pipeline's releases: which one new runs use, the diff of any with the current one, rollback to
 * an earlier one, promotion into another environment, and the deployment history.
 */
export function Releases({ env, name, current, onChanged }: { env: string; name: string; current?: string | null; onChanged: () => void }) {
  const { me, environments } = useMe();
  const [{ data, fetching, error }, refetch] = useQuery({ query: ReleasesDoc, variables: { env, name } });
  const [diffOf, setDiffOf] = useState<string | null>(null);
  const [promoting, setPromoting] = useState<string | null>(null);
  const [notice, setNotice] = useState("");
  const [rollbackState, rollback] = useMutation(RollbackDoc);
  const mayRelease = can(me, "RELEASE", env, name);
  const targets = environments.filter((e) => e !== env && can(me, "RELEASE", e, name));
  if (fetching && !data) return <Loading what="releases" />;
  if (error && !data) return <ErrorBox error={error} />;
  const releases = (data?.releases ?? [])
    .flatMap((r) => (r?.id ? [r] : []))
    .sort((a, b) => (b.createdAt ?? "").localeCompare(a.createdAt ?? ""));
  const deployments = (data?.deployments ?? []).flatMap((d) => (d ? [d] : []));
  return (
    <section aria-labelledby="releases-title">
      <h2 id="releases-title">Releases</h2>
      <span role="status" className="notice">{notice}</span>
      {rollbackState.error && <ErrorBox error={rollbackState.error} />}
      {releases.length === 0 ? (
        <Empty>Not released yet.</Empty>
      ) : (
        <table aria-label="Releases">
          <thead>
            <tr><th>Release</th><th>Created</th><th>By</th><th>Code bundle</th><th><span className="sr-only">Actions</span></th></tr>
          </thead>
          <tbody>
            {releases.map((r) => (
              <tr key={r.id} data-release={r.id}>
                <td><code title={r.id ?? ""}>{short(r.id)}</code> {r.id === current && <span className="badge">current</span>}</td>
                <td>{r.createdAt}</td>
                <td>{r.createdBy}</td>
                <td><code title={r.bundleDigest ?? ""}>{r.bundleDigest ? r.bundleDigest.slice(0, 12) : "none"}</code></td>
                <td className="toolbar">
                  {current && r.id !== current && (
                    <button onClick={() => setDiffOf(diffOf === r.id ? null : r.id!)} aria-pressed={diffOf === r.id}>
                      Diff with current
                    </button>
                  )}
                  {mayRelease && current && r.id !== current && (
                    <button
                      disabled={rollbackState.fetching}
                      onClick={async () => {
                        if (!window.confirm(`Make release ${short(r.id)} the one new runs of ${name} use?`)) return;
                        const res = await rollback({ env, name, releaseId: r.id! });
                        if (!res.error) {
                          setNotice(`Rolled back to ${short(r.id)}.`);
                          refetch({ requestPolicy: "network-only" });
                          onChanged();
                        }
                      }}
                    >
                      Roll back to this
                    </button>
                  )}
                  {targets.length > 0 && <button onClick={() => setPromoting(r.id!)}>Promote…</button>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {diffOf && current && <Diff from={diffOf} to={current} />}
      {promoting && (
        <Promote
          releaseId={promoting}
          targets={targets}
          onClose={() => setPromoting(null)}
          onDone={(target) => {
            setPromoting(null);
            setNotice(`Promoted ${short(promoting)} to ${target}.`);
          }}
        />
      )}
      <h3>Deployments</h3>
      {deployments.length === 0 ? (
        <Empty>No promotion into {env} and no rollback of {name} yet.</Empty>
      ) : (
        <table aria-label="Deployments">
          <thead>
            <tr><th>When</th><th>Kind</th><th>Release</th><th>Replaced / from</th><th>By</th><th>Worker groups</th></tr>
          </thead>
          <tbody>
            {deployments.map((d) => (
              <tr key={d.id}>
                <td>{d.deployedAt}</td>
                <td>{d.kind}</td>
                <td><code>{short(d.releaseId)}</code></td>
                <td>
                  {d.fromEnvironment && <Link to={`/e/${d.fromEnvironment}/pipelines/${name}`}>{d.fromEnvironment}</Link>}{" "}
                  <code>{short(d.fromReleaseId)}</code>
                </td>
                <td>{d.deployedBy}</td>
                <td><code>{cellText(d.workerGroupMap)}</code></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Diff({ from, to }: { from: string; to: string }) {
  const [{ data, fetching, error }] = useQuery({ query: DiffDoc, variables: { from, to } });
  if (fetching && !data) return <Loading what="diff" />;
  if (error && !data) return <ErrorBox error={error} />;
  const changes = changesOf(data?.releaseDiff);
  return (
    <div>
      <h3>Changes from {short(from)} to the current release {short(to)}</h3>
      {changes.length === 0 ? (
        <Empty>No change.</Empty>
      ) : (
        <table aria-label="Release diff">
          <thead>
            <tr><th>Path</th><th>Change</th><th>Was</th><th>Is</th></tr>
          </thead>
          <tbody>
            {changes.map((c, i) => (
              <tr key={i} className={`diff-${c.kind}`}>
                <td><code>{c.path}</code></td>
                <td>{c.kind}</td>
                <td><pre className="cell">{cellText(c.from)}</pre></td>
                <td><pre className="cell">{cellText(c.to)}</pre></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function Promote({ releaseId, targets, onClose, onDone }: { releaseId: string; targets: string[]; onClose: () => void; onDone: (target: string) => void }) {
  const [target, setTarget] = useState(targets[0]);
  const [groups, setGroups] = useState("");
  const [mapError, setMapError] = useState("");
  const [state, promote] = useMutation(PromoteDoc);
  return (
    <div className="dialog">
      <form
        role="dialog"
        aria-labelledby="promote-title"
        onSubmit={async (e) => {
          e.preventDefault();
          const { map, error } = parseGroupMap(groups);
          setMapError(error ?? "");
          if (error) return;
          const r = await promote({ releaseId, target, map: map.length > 0 ? map : undefined });
          if (!r.error) onDone(target);
        }}
      >
        <h2 id="promote-title">Promote release {short(releaseId)}</h2>
        <label className="field">Target environment
          <select value={target} onChange={(e) => setTarget(e.target.value)}>{targets.map((t) => <option key={t}>{t}</option>)}</select>
        </label>
        <label className="field">Worker groups (optional: source=target, comma-separated)
          <input value={groups} onChange={(e) => setGroups(e.target.value)} aria-invalid={!!mapError} placeholder="etl=etl-prod" />
        </label>
        {mapError && <p className="error-text">{mapError}</p>}
        {state.error && <ErrorBox error={state.error} />}
        <div className="toolbar">
          <button type="submit" disabled={state.fetching}>Promote</button>
          <button type="button" onClick={onClose}>Cancel</button>
        </div>
      </form>
    </div>
  );
}
