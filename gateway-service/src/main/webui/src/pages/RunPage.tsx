import { useEffect, useMemo, useRef, useState } from "react";
import { useNavigate, useParams, useSearchParams } from "react-router";
import { useMutation, useQuery, useSubscription } from "urql";
import { graphql } from "../gql";
import { DagView } from "../components/DagView";
import { LogView, type Line } from "../components/LogView";
import { ErrorBox, Loading, StateBadge } from "../components/Status";
import { useMe } from "../Layout";
import { can } from "../permissions";
import { tasksOf } from "../dag";
import { Timeline } from "../components/Timeline";
import { Waiting, Sla } from "../components/Waiting";
import type { TimelineRow } from "../timeline";
import type { RunQuery } from "../gql/graphql";

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
      slaDueAt
      slaMissedAt
      waitingReason {
        kind
        message
        position
        until
        tasks
        runs
      }
      taskRuns {
        id
        taskKey
        state
        attempt
        error
        outputs
        startedAt
        finishedAt
        waitingReason {
          kind
          message
          position
          until
        }
        attempts {
          attempt
          state
          outcome
          dispatchedAt
          claimedAt
          startedAt
          finishedAt
          workerId
          exitCode
          error
        }
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
  query Logs($taskRunId: String!, $runId: String, $attempt: Int) {
    logs(taskRunId: $taskRunId, runId: $runId, attempt: $attempt, limit: 5000) {
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
/** rows of the task table rendered at first: a run of 1,000 tasks stays quick; the rest on demand */
const TABLE_CAP = 200;
/** live updates of a big run come in bursts: the run is re-read at most this often (ms) */
const REFETCH_EVERY = 500;

type TaskRunOf = NonNullable<NonNullable<NonNullable<RunQuery["run"]>["taskRuns"]>[number]>;

export default function RunPage() {
  const { env = "", id = "" } = useParams();
  const [search, setSearch] = useSearchParams();
  const navigate = useNavigate();
  const { me } = useMe();
  const [{ data, fetching, error }, refetch] = useQuery({ query: RunDoc, variables: { id } });
  const run = data?.run;
  const [{ data: rel }] = useQuery({ query: ReleaseDoc, variables: { id: run?.releaseId ?? "" }, pause: !run?.releaseId });
  // live: updates re-read the run (the update says what changed; the run says it all), at most
  // once per REFETCH_EVERY however many tasks change at once
  const [{ data: update }] = useSubscription({ query: UpdatesDoc, variables: { id }, pause: !run || TERMINAL.includes(run.state ?? "") });
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    if (!update || pending.current) return;
    pending.current = setTimeout(() => {
      pending.current = null;
      refetch({ requestPolicy: "network-only" });
    }, REFETCH_EVERY);
  }, [update, refetch]);
  useEffect(() => () => { if (pending.current) clearTimeout(pending.current); }, []);
  const [cancelState, cancel] = useMutation(CancelDoc);
  const [rerunState, rerun] = useMutation(RerunDoc);
  const [allRows, setAllRows] = useState(false);

  const tasks = useMemo(() => {
    const fromRelease = tasksOf(rel?.release?.definition);
    if (fromRelease.length > 0) return fromRelease;
    return (run?.taskRuns ?? []).flatMap((t) => (t?.taskKey ? [{ key: t.taskKey, dependsOn: [] }] : []));
  }, [rel, run]);
  const states = useMemo(
    () => Object.fromEntries((run?.taskRuns ?? []).map((t) => [t?.taskKey ?? "", t?.state ?? undefined])),
    [run],
  );
  const timeline = useMemo<TimelineRow[]>(
    () =>
      (run?.taskRuns ?? []).flatMap((t) =>
        t?.taskKey
          ? [{
              taskKey: t.taskKey,
              attempts: (t.attempts ?? []).flatMap((a) =>
                a?.attempt != null
                  ? [{ attempt: a.attempt, state: a.outcome ?? a.state, start: a.startedAt ?? a.claimedAt, end: a.finishedAt, workerId: a.workerId }]
                  : [],
              ),
            }]
          : [],
      ),
    [run],
  );
  const selectedKey = search.get("task") ?? undefined;
  const pickedAttempt = search.get("attempt") ? Number(search.get("attempt")) : undefined;
  const selected = run?.taskRuns?.find((t) => t?.taskKey === selectedKey);

  if (fetching && !data) return <Loading what="run" />;
  // an error with no run (e.g. {run: null} and NOT_FOUND) shows the error, not "no run"
  if (!run) return error ? <ErrorBox error={error} /> : <p className="empty">No run {id}.</p>;
  const mayRun = can(me, "EXECUTE", env, run.pipeline ?? undefined);
  const taskRuns = (run.taskRuns ?? []).filter((t): t is TaskRunOf => !!t);
  const shownRows = allRows ? taskRuns : taskRuns.slice(0, TABLE_CAP);
  const pick = (task: string, attempt?: number) => setSearch(attempt ? { task, attempt: String(attempt) } : { task });
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
      <Waiting reason={run.waitingReason} />
      <dl className="facts">
        <dt>Params</dt>
        <dd><code>{JSON.stringify(run.params ?? {})}</code></dd>
        <dt>Started</dt>
        <dd>{run.startedAt ?? "—"}</dd>
        <dt>Finished</dt>
        <dd>{run.finishedAt ?? "—"}</dd>
        <dt>SLA</dt>
        <dd><Sla dueAt={run.slaDueAt} missedAt={run.slaMissedAt} /></dd>
      </dl>
      <DagView tasks={tasks} states={states} selected={selectedKey} onSelect={(k) => pick(k)} />
      <h2>Timeline</h2>
      <Timeline rows={timeline} live={!TERMINAL.includes(run.state ?? "")} onPick={pick} />
      <h2>Tasks</h2>
      <table aria-label="Tasks">
        <thead>
          <tr><th>Task</th><th>State</th><th>Attempt</th><th>Waiting for</th><th>Error</th></tr>
        </thead>
        <tbody>
          {shownRows.map((t) => (
            <tr key={t.id} data-task={t.taskKey} data-state={t.state}>
              <td><button className="link" onClick={() => pick(t.taskKey ?? "")}>{t.taskKey}</button></td>
              <td><StateBadge state={t.state} /></td>
              <td>{t.attempt}</td>
              <td><Waiting reason={t.waitingReason} compact /></td>
              <td>{t.error}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {shownRows.length < taskRuns.length && (
        <button onClick={() => setAllRows(true)}>Show all {taskRuns.length} tasks</button>
      )}
      {selected?.id && (
        <TaskLog
          key={`${selected.id}:${pickedAttempt ?? "live"}`}
          runId={id}
          task={selected}
          attempt={pickedAttempt}
          onAttempt={(a) => pick(selected.taskKey ?? "", a)}
        />
      )}
    </>
  );
}

/**
 * A task's log: by default the latest attempt, followed live; an earlier attempt (picked here or on
 * the timeline) is read as stored.
 */
function TaskLog({ runId, task, attempt, onAttempt }: { runId: string; task: TaskRunOf; attempt?: number; onAttempt: (a?: number) => void }) {
  const taskRunId = task.id ?? "";
  const attempts = (task.attempts ?? []).flatMap((a) => (a?.attempt != null ? [a] : [])).sort((a, b) => (a.attempt ?? 0) - (b.attempt ?? 0));
  const latest = task.attempt ?? attempts.at(-1)?.attempt ?? undefined;
  const earlier = attempt != null && attempt !== latest;
  const [{ data, error }] = useQuery({
    query: LogsDoc,
    variables: { taskRunId, runId, attempt: earlier ? attempt : undefined },
    requestPolicy: "network-only",
  });
  const [live, setLive] = useState<Line[]>([]);
  const [filter, setFilter] = useState("");
  useSubscription({ query: TailDoc, variables: { taskRunId, runId }, pause: earlier }, (_prev, next) => {
    const l = next.logTail;
    if (l) setLive((ls) => [...ls, { seq: Number(l.seq), attempt: l.attempt, stream: l.stream, text: l.text }]);
    return next;
  });
  const lines = useMemo(() => {
    const byKey = new Map<string, Line>();
    for (const l of data?.logs?.lines ?? []) if (l) byKey.set(`${l.attempt}:${l.seq}`, { seq: Number(l.seq), attempt: l.attempt, stream: l.stream, text: l.text });
    if (!earlier) for (const l of live) byKey.set(`${l.attempt}:${l.seq}`, l);
    return [...byKey.values()]
      .filter((l) => !earlier || l.attempt === attempt)
      .sort((a, b) => a.attempt - b.attempt || a.seq - b.seq);
  }, [data, live, earlier, attempt]);
  const shown = attempts.find((a) => a.attempt === (earlier ? attempt : latest));
  return (
    <section aria-labelledby="log-title">
      <h2 id="log-title">Log of {task.taskKey}</h2>
      <div className="toolbar">
        {attempts.length > 1 && (
          <label>
            Attempt{" "}
            <select
              value={earlier ? String(attempt) : ""}
              onChange={(e) => onAttempt(e.target.value ? Number(e.target.value) : undefined)}
            >
              <option value="">latest ({latest}, live)</option>
              {attempts.filter((a) => a.attempt !== latest).map((a) => (
                <option key={a.attempt} value={a.attempt ?? ""}>
                  {a.attempt}: {a.outcome ?? a.state}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          Search <input value={filter} onChange={(e) => setFilter(e.target.value)} />
        </label>
      </div>
      {shown && (
        <p className="muted" data-testid="attempt-facts">
          Attempt {shown.attempt}: {shown.outcome ?? shown.state}
          {shown.workerId && ` on ${shown.workerId}`}
          {shown.exitCode != null && `, exit code ${shown.exitCode}`}
          {shown.error && ` — ${shown.error}`}
        </p>
      )}
      {error && <ErrorBox error={error} />}
      <LogView lines={lines} filter={filter} />
      {task.outputs != null && !earlier && (
        <>
          <h3>Outputs</h3>
          <pre className="log" tabIndex={0}>{JSON.stringify(task.outputs, null, 2)}</pre>
        </>
      )}
    </section>
  );
}
