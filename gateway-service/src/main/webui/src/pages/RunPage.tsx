import { useEffect, useMemo, useState } from "react";
import { useNavigate, useParams, useSearchParams } from "react-router";
import { useMutation, useQuery, useSubscription } from "urql";
import { graphql } from "../gql";
import { DagView } from "../components/DagView";
import { LogView, type Line } from "../components/LogView";
import { ErrorBox, Loading, StateBadge } from "../components/Status";
import { useMe } from "../Layout";
import { can } from "../permissions";
import { tasksOf } from "../dag";

const RunDoc = graphql(`
  query Run($id: String!) {
    run(id: $id) {
      id
      pipeline
      environment
      state
      error
      params
      releaseId
      createdAt
      startedAt
      finishedAt
      taskRuns {
        id
        taskKey
        state
        attempt
        error
        outputs
      }
    }
  }
`);
const ReleaseDoc = graphql(`
  query RunRelease($id: String!) {
    release(id: $id) {
      id
      definition
    }
  }
`);
const UpdatesDoc = graphql(`
  subscription RunUpdates($id: String!) {
    runUpdates(runId: $id) {
      kind
      state
      taskKey
      taskRunId
    }
  }
`);
const LogsDoc = graphql(`
  query Logs($taskRunId: String!, $runId: String) {
    logs(taskRunId: $taskRunId, runId: $runId) {
      lines {
        seq
        attempt
        stream
        text
      }
    }
  }
`);
const TailDoc = graphql(`
  subscription LogTail($taskRunId: String!, $runId: String) {
    logTail(taskRunId: $taskRunId, runId: $runId) {
      seq
      attempt
      stream
      text
    }
  }
`);
const CancelDoc = graphql(`
  mutation CancelRun($id: String!) {
    cancelRun(id: $id) {
      id
      state
    }
  }
`);
const RerunDoc = graphql(`
  mutation RerunRun($id: String!) {
    rerunRun(id: $id) {
      id
    }
  }
`);

const TERMINAL = ["SUCCEEDED", "FAILED", "CANCELLED"];

export default function RunPage() {
  const { env = "", id = "" } = useParams();
  const [search, setSearch] = useSearchParams();
  const navigate = useNavigate();
  const { me } = useMe();
  const [{ data, fetching, error }, refetch] = useQuery({ query: RunDoc, variables: { id } });
  const run = data?.run;
  const [{ data: rel }] = useQuery({ query: ReleaseDoc, variables: { id: run?.releaseId ?? "" }, pause: !run?.releaseId });
  // live: each update re-reads the run (the update says what changed; the run says it all)
  const [{ data: update }] = useSubscription({ query: UpdatesDoc, variables: { id }, pause: !run || TERMINAL.includes(run.state ?? "") });
  useEffect(() => {
    if (update) refetch({ requestPolicy: "network-only" });
  }, [update, refetch]);
  const [cancelState, cancel] = useMutation(CancelDoc);
  const [rerunState, rerun] = useMutation(RerunDoc);

  const tasks = useMemo(() => {
    const fromRelease = tasksOf(rel?.release?.definition);
    if (fromRelease.length > 0) return fromRelease;
    return (run?.taskRuns ?? []).flatMap((t) => (t?.taskKey ? [{ key: t.taskKey, dependsOn: [] }] : []));
  }, [rel, run]);
  const states = useMemo(
    () => Object.fromEntries((run?.taskRuns ?? []).map((t) => [t?.taskKey ?? "", t?.state ?? undefined])),
    [run],
  );
  const selectedKey = search.get("task") ?? undefined;
  const selected = run?.taskRuns?.find((t) => t?.taskKey === selectedKey);

  if (fetching && !data) return <Loading what="run" />;
  if (error && !data) return <ErrorBox error={error} />;
  if (!run) return <p className="empty">No run {id}.</p>;
  const mayRun = can(me, "EXECUTE", env, run.pipeline ?? undefined);
  return (
    <>
      <h1>
        Run {run.id?.slice(0, 8)} of {run.pipeline} <StateBadge state={run.state} />
      </h1>
      <div className="toolbar">
        {mayRun && !TERMINAL.includes(run.state ?? "") && (
          <button disabled={cancelState.fetching} onClick={() => cancel({ id })}>Cancel</button>
        )}
        {mayRun && TERMINAL.includes(run.state ?? "") && (
          <button
            disabled={rerunState.fetching}
            onClick={async () => {
              const r = await rerun({ id });
              if (r.data?.rerunRun?.id) navigate(`/e/${env}/runs/${r.data.rerunRun.id}`);
            }}
          >
            Rerun
          </button>
        )}
      </div>
      {(cancelState.error ?? rerunState.error) && <ErrorBox error={(cancelState.error ?? rerunState.error)!} />}
      {run.error && <p className="error-text">{run.error}</p>}
      <dl className="facts">
        <dt>Params</dt>
        <dd><code>{JSON.stringify(run.params ?? {})}</code></dd>
        <dt>Started</dt>
        <dd>{run.startedAt ?? "—"}</dd>
        <dt>Finished</dt>
        <dd>{run.finishedAt ?? "—"}</dd>
      </dl>
      <DagView tasks={tasks} states={states} selected={selectedKey} onSelect={(k) => setSearch({ task: k })} />
      <table>
        <thead>
          <tr><th>Task</th><th>State</th><th>Attempt</th><th>Error</th></tr>
        </thead>
        <tbody>
          {(run.taskRuns ?? []).map((t) => t && (
            <tr key={t.id} data-task={t.taskKey} data-state={t.state}>
              <td><button className="link" onClick={() => setSearch({ task: t.taskKey ?? "" })}>{t.taskKey}</button></td>
              <td><StateBadge state={t.state} /></td>
              <td>{t.attempt}</td>
              <td>{t.error}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {selected?.id && <TaskLog key={selected.id} runId={id} taskRunId={selected.id} taskKey={selected.taskKey ?? ""} outputs={selected.outputs} />}
    </>
  );
}

function TaskLog({ runId, taskRunId, taskKey, outputs }: { runId: string; taskRunId: string; taskKey: string; outputs: unknown }) {
  const [{ data, error }] = useQuery({ query: LogsDoc, variables: { taskRunId, runId }, requestPolicy: "network-only" });
  const [live, setLive] = useState<Line[]>([]);
  const [filter, setFilter] = useState("");
  useSubscription({ query: TailDoc, variables: { taskRunId, runId } }, (_prev, next) => {
    const l = next.logTail;
    if (l) setLive((ls) => [...ls, { seq: Number(l.seq), attempt: l.attempt, stream: l.stream, text: l.text }]);
    return next;
  });
  const lines = useMemo(() => {
    const byKey = new Map<string, Line>();
    for (const l of data?.logs?.lines ?? []) if (l) byKey.set(`${l.attempt}:${l.seq}`, { seq: Number(l.seq), attempt: l.attempt, stream: l.stream, text: l.text });
    for (const l of live) byKey.set(`${l.attempt}:${l.seq}`, l);
    return [...byKey.values()].sort((a, b) => a.attempt - b.attempt || a.seq - b.seq);
  }, [data, live]);
  return (
    <section aria-labelledby="log-title">
      <h2 id="log-title">Log of {taskKey}</h2>
      <label>
        Search <input value={filter} onChange={(e) => setFilter(e.target.value)} />
      </label>
      {error && <ErrorBox error={error} />}
      <LogView lines={lines} filter={filter} />
      {outputs != null && (
        <>
          <h3>Outputs</h3>
          <pre className="log" tabIndex={0}>{JSON.stringify(outputs, null, 2)}</pre>
        </>
      )}
    </section>
  );
}
