import { memo, useCallback, useEffect, useMemo, useReducer, useRef, useState } from "react";
import { useNavigate, useParams, useSearchParams } from "react-router";
import { createRequest, useClient, useMutation, useQuery, useSubscription, type OperationResult } from "urql";
import { pipe, subscribe } from "wonka";
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
import type { RunQuery, RunUpdatesSubscription } from "../gql/graphql";
import { connection } from "../connection";
import { applyUpdates, keepUnchanged, TERMINAL_RUN, TERMINAL_TASK, type RunUpdateLike } from "../liveRun";

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
      taskKey
      taskRunId
      attempt
      state
      previous
      error
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

/** live updates are applied in batches at most this often (ms): a burst of 100 task changes is one render */
const APPLY_EVERY = 200;
/** the whole run is read again (after a gap, a reconnection, its end) at most this often (ms) */
const REREAD_EVERY = 1000;
/** updates kept to replay over a read still under way; far more than come while one is */
const LOG_CAP = 20_000;
/** rows of the task table rendered at first: a run of 1,000 tasks stays quick; the rest on demand */
const TABLE_CAP = 100;

type RunOf = NonNullable<RunQuery["run"]>;
type TaskRunOf = NonNullable<NonNullable<RunOf["taskRuns"]>[number]>;

/**
 * The run, followed live: read once, then each `runUpdates` event is applied to the task it is
 * about (liveRun.ts) rather than the whole run read again. The run is read again only when an
 * event shows a gap (or names a task the page does not have), when the live connection is
 * (re)established, when the run ends (the final read: exact times, outputs, errors) and when the
 * selected task ends (its outputs). Updates that arrive while a read is under way are applied again
 * over its answer; those it already has are recognised as older and skipped.
 */
function useLiveRun(id: string, selectedKey: string | undefined) {
  const client = useClient();
  const [{ data, fetching, error }, refetch] = useQuery({ query: RunDoc, variables: { id } });
  const base = data?.run ?? undefined;
  const [, render] = useReducer((n: number) => n + 1, 0);
  const live = useRef<{ base?: RunOf; run?: RunOf }>({});
  /** every update since the latest read was asked for */
  const log = useRef<RunUpdateLike[]>([]);
  /** updates not applied yet */
  const queue = useRef<RunUpdateLike[]>([]);
  const applyTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const rereadTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  // the first read counts: a reconnection right after it waits its turn
  const lastRead = useRef(Date.now());
  const needsReread = useRef(false);
  const selected = useRef(selectedKey);
  selected.current = selectedKey;
  const refetchRef = useRef(refetch);
  refetchRef.current = refetch;

  const reread = useCallback(() => {
    if (rereadTimer.current) return;
    rereadTimer.current = setTimeout(() => {
      rereadTimer.current = undefined;
      lastRead.current = Date.now();
      log.current = [];
      refetchRef.current({ requestPolicy: "network-only" });
    }, Math.max(0, lastRead.current + REREAD_EVERY - Date.now()));
  }, []);

  // a read answered: the updates since it was asked for go over it again
  if (base !== live.current.base) {
    const r = base ? applyUpdates(base, log.current, Date.now()) : undefined;
    live.current = { base, run: r ? keepUnchanged(live.current.run, r.run) : undefined };
    if (r?.reread) needsReread.current = true;
  }
  useEffect(() => {
    if (!needsReread.current) return;
    needsReread.current = false;
    reread();
  });

  const ended = TERMINAL_RUN.has(live.current.run?.state ?? "");
  useEffect(() => {
    if (ended) return;
    const apply = () => {
      applyTimer.current = undefined;
      const batch = queue.current;
      queue.current = [];
      const run = live.current.run;
      if (!run || batch.length === 0) return; // no read yet: the log replays them over it
      const r = applyUpdates(run, batch, Date.now());
      if (r.run !== run) {
        live.current = { ...live.current, run: r.run };
        render();
      }
      const sel = selected.current;
      const selectedEnded = !!sel && r.changed.has(sel) && TERMINAL_TASK.has(r.run.taskRuns?.find((t) => t?.taskKey === sel)?.state ?? "");
      if (r.reread || r.ended || selectedEnded) reread();
    };
    const { unsubscribe } = pipe(
      client.executeSubscription(createRequest(UpdatesDoc, { id })),
      subscribe((result: OperationResult<RunUpdatesSubscription>) => {
        const u = result.data?.runUpdates;
        if (!u) return;
        log.current.push(u);
        if (log.current.length > LOG_CAP) log.current.splice(0, log.current.length - LOG_CAP);
        queue.current.push(u);
        applyTimer.current ??= setTimeout(apply, APPLY_EVERY);
      }),
    );
    // (re)connected: what happened while there was no connection was missed
    const off = connection.onConnected(reread);
    return () => {
      unsubscribe();
      off();
      clearTimeout(applyTimer.current);
      applyTimer.current = undefined;
      queue.current = [];
    };
  }, [client, id, ended, reread]);
  useEffect(() => () => clearTimeout(rereadTimer.current), []);
  return { run: live.current.run, fetching: fetching && !data, error };
}

/** The timeline's row of a task run, made once per task run object (unchanged tasks keep theirs). */
const rows = new WeakMap<TaskRunOf, TimelineRow>();
function timelineRow(t: TaskRunOf): TimelineRow {
  let r = rows.get(t);
  if (!r) {
    r = {
      taskKey: t.taskKey ?? "",
      attempts: (t.attempts ?? []).flatMap((a) =>
        a?.attempt != null
          ? [{ attempt: a.attempt, state: a.outcome ?? a.state, start: a.startedAt ?? a.claimedAt, end: a.finishedAt, workerId: a.workerId }]
          : [],
      ),
    };
    rows.set(t, r);
  }
  return r;
}

/** One row of the task table: drawn again only when its task run changed. */
const TaskRow = memo(function TaskRow({ t, onPick }: { t: TaskRunOf; onPick: (task: string) => void }) {
  return (
    <tr data-task={t.taskKey} data-state={t.state}>
      <td><button className="link" onClick={() => onPick(t.taskKey ?? "")}>{t.taskKey}</button></td>
      <td><StateBadge state={t.state} /></td>
      <td>{t.attempt}</td>
      <td><Waiting reason={t.waitingReason} compact /></td>
      <td>{t.error}</td>
    </tr>
  );
});

export default function RunPage() {
  const { id = "" } = useParams();
  // another run is another page: nothing followed of this one may reach it
  return <RunView key={id} id={id} />;
}

function RunView({ id }: { id: string }) {
  const { env = "" } = useParams();
  const [search, setSearch] = useSearchParams();
  const navigate = useNavigate();
  const { me } = useMe();
  const selectedKey = search.get("task") ?? undefined;
  const pickedAttempt = search.get("attempt") ? Number(search.get("attempt")) : undefined;
  const { run, fetching, error } = useLiveRun(id, selectedKey);
  const [{ data: rel }] = useQuery({ query: ReleaseDoc, variables: { id: run?.releaseId ?? "" }, pause: !run?.releaseId });
  const [cancelState, cancel] = useMutation(CancelDoc);
  const [rerunState, rerun] = useMutation(RerunDoc);
  const [allRows, setAllRows] = useState(false);
  const setSearchRef = useRef(setSearch);
  setSearchRef.current = setSearch;
  const pick = useCallback(
    (task: string, attempt?: number) => setSearchRef.current(attempt ? { task, attempt: String(attempt) } : { task }),
    [],
  );
  const pickAttempt = useCallback((a?: number) => selectedKey && pick(selectedKey, a), [pick, selectedKey]);

  // the DAG's shape comes from the release: a live update (a state) must not lay it out again
  const fromRelease = useMemo(() => tasksOf(rel?.release?.definition), [rel]);
  const keys = fromRelease.length > 0 ? "" : (run?.taskRuns ?? []).map((t) => t?.taskKey ?? "").join("\n");
  const tasks = useMemo(
    () => (fromRelease.length > 0 ? fromRelease : keys.split("\n").filter(Boolean).map((key) => ({ key, dependsOn: [] }))),
    [fromRelease, keys],
  );
  const taskRuns = useMemo(() => (run?.taskRuns ?? []).filter((t): t is TaskRunOf => !!t), [run?.taskRuns]);
  const states = useMemo(() => {
    const m: Record<string, string | undefined> = {};
    for (const t of taskRuns) if (t.taskKey) m[t.taskKey] = t.state ?? undefined;
    return m;
  }, [taskRuns]);
  const timeline = useMemo(() => taskRuns.map(timelineRow), [taskRuns]);
  const selected = taskRuns.find((t) => t.taskKey === selectedKey);

  if (fetching) return <Loading what="run" />;
  // an error with no run (e.g. {run: null} and NOT_FOUND) shows the error, not "no run"
  if (!run) return error ? <ErrorBox error={error} /> : <p className="empty">No run {id}.</p>;
  const mayRun = can(me, "EXECUTE", env, run.pipeline ?? undefined);
  const shownRows = allRows ? taskRuns : taskRuns.slice(0, TABLE_CAP);
  const over = TERMINAL_RUN.has(run.state ?? "");
  return (
    <>
      <h1>
        Run {run.id?.slice(0, 8)} of {run.pipeline} <StateBadge state={run.state} />
      </h1>
      <div className="toolbar">
        {mayRun && !over && (
          <button disabled={cancelState.fetching} onClick={() => cancel({ id })}>Cancel</button>
        )}
        {mayRun && over && (
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
      <DagView tasks={tasks} states={states} selected={selectedKey} onSelect={pick} />
      <h2>Timeline</h2>
      <Timeline rows={timeline} live={!over} onPick={pick} />
      <h2>Tasks</h2>
      <table aria-label="Tasks">
        <thead>
          <tr><th>Task</th><th>State</th><th>Attempt</th><th>Waiting for</th><th>Error</th></tr>
        </thead>
        <tbody>
          {shownRows.map((t) => <TaskRow key={t.id ?? t.taskKey} t={t} onPick={pick} />)}
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
          onAttempt={pickAttempt}
        />
      )}
    </>
  );
}

/**
 * A task's log: by default the latest attempt, followed live; an earlier attempt (picked here or on
 * the timeline) is read as stored.
 */
const TaskLog = memo(function TaskLog({ runId, task, attempt, onAttempt }: { runId: string; task: TaskRunOf; attempt?: number; onAttempt: (a?: number) => void }) {
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
});
