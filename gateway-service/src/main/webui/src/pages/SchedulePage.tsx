import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import { ErrorBox, Loading, StateBadge } from "../components/Status";
import { Ledger, rowsOf, cellText } from "../components/Ledger";
import { useMe } from "../Layout";
import { can } from "../permissions";
import { ScheduleForm } from "../components/ScheduleForm";

const ScheduleDoc = graphql(`
  query Schedule($env: String!, $id: String!) {
    schedule(environment: $env, id: $id) {
      id
      name
      pipeline
      description
      cron
      rrule
      timezone
      misfirePolicy
      params
      releaseId
      state
      stateReason
      nextFireAt
      createdAt
      createdBy
      updatedAt
      updatedBy
    }
    schedulePreview(environment: $env, id: $id, count: 10)
    scheduleFires(environment: $env, id: $id, limit: 50)
  }
`);
const PauseDoc = graphql(`
  mutation PauseSchedule($env: String!, $id: String!) {
    pauseSchedule(environment: $env, id: $id) {
      id
      state
    }
  }
`);
const ResumeDoc = graphql(`
  mutation ResumeSchedule($env: String!, $id: String!) {
    resumeSchedule(environment: $env, id: $id) {
      id
      state
    }
  }
`);
const BackfillDoc = graphql(`
  mutation BackfillSchedule($env: String!, $id: String!, $from: DateTime!, $to: DateTime!) {
    backfillSchedule(environment: $env, id: $id, from: $from, to: $to) {
      id
      state
      total
    }
  }
`);
const UpdateDoc = graphql(`
  mutation UpdateSchedule($env: String!, $id: String!, $input: ScheduleInput!) {
    updateSchedule(environment: $env, id: $id, input: $input) {
      id
    }
  }
`);
const DeleteDoc = graphql(`
  mutation DeleteSchedule($env: String!, $id: String!) {
    deleteSchedule(environment: $env, id: $id)
  }
`);

/** One schedule: its rule, its next fires, pause/resume, backfill and its fire ledger. */
export default function SchedulePage() {
  const { env = "", id = "" } = useParams();
  const { me } = useMe();
  const navigate = useNavigate();
  const [{ data, fetching, error }, refetch] = useQuery({ query: ScheduleDoc, variables: { env, id } });
  const [pauseState, pause] = useMutation(PauseDoc);
  const [resumeState, resume] = useMutation(ResumeDoc);
  const [backfillState, backfill] = useMutation(BackfillDoc);
  const [deleteState, remove] = useMutation(DeleteDoc);
  const [, update] = useMutation(UpdateDoc);
  const [editing, setEditing] = useState(false);
  const [range, setRange] = useState({ from: "", to: "" });
  const [notice, setNotice] = useState("");
  if (fetching && !data) return <Loading what="schedule" />;
  const s = data?.schedule;
  if (!s) return error ? <ErrorBox error={error} /> : <p className="empty">No schedule “{id}” in {env}.</p>;
  const mayRun = can(me, "EXECUTE", env, s.pipeline ?? undefined);
  const again = () => refetch({ requestPolicy: "network-only" });
  const actionError = pauseState.error ?? resumeState.error ?? backfillState.error ?? deleteState.error;
  return (
    <>
      <h1>Schedule {s.name} <StateBadge state={s.state} /></h1>
      <dl className="facts">
        <dt>Pipeline</dt><dd><Link to={`/e/${env}/pipelines/${s.pipeline}`}>{s.pipeline}</Link></dd>
        <dt>Rule</dt><dd><code>{s.cron ? `cron ${s.cron}` : `RRule ${s.rrule}`}</code> in {s.timezone}</dd>
        <dt>Missed fires</dt><dd>{s.misfirePolicy}</dd>
        <dt>Release</dt><dd>{s.releaseId ?? "the latest at each fire"}</dd>
        <dt>Params</dt><dd><code>{cellText(s.params) || "none"}</code></dd>
        {s.stateReason && <><dt>Why</dt><dd>{s.stateReason}</dd></>}
        <dt>Changed</dt><dd>{s.updatedAt} by {s.updatedBy}</dd>
      </dl>
      {mayRun && (
        <div className="toolbar">
          {s.state === "ENABLED" ? (
            <button onClick={async () => { if (!(await pause({ env, id })).error) again(); }}>Pause</button>
          ) : (
            <button onClick={async () => { if (!(await resume({ env, id })).error) again(); }}>Resume</button>
          )}
          <button onClick={() => setEditing(!editing)} aria-expanded={editing}>Edit</button>
          <button
            onClick={async () => {
              if (window.confirm(`Delete schedule ${s.name}?`) && !(await remove({ env, id })).error) navigate(`/e/${env}/schedules`);
            }}
          >
            Delete
          </button>
          <span role="status" className="notice">{notice}</span>
        </div>
      )}
      {actionError && <ErrorBox error={actionError} />}
      {editing && (
        <section aria-label="Edit schedule" className="panel">
          <h2>Edit</h2>
          <ScheduleForm
            env={env}
            submitLabel="Save schedule"
            requirePreview
            showPaused={false}
            initial={{
              pipeline: s.pipeline ?? "",
              name: s.name ?? "",
              description: s.description ?? "",
              kind: s.rrule ? "rrule" : "cron",
              rule: s.rrule ?? s.cron ?? "",
              timezone: s.timezone ?? "UTC",
              misfirePolicy: s.misfirePolicy ?? "ALL",
              params: s.params && Object.keys(s.params as object).length > 0 ? JSON.stringify(s.params) : "",
              // an edit keeps the schedule's state: pause and resume are their own buttons
              paused: s.state === "PAUSED",
              releaseId: s.releaseId,
            }}
            onSubmit={async (input) => {
              const r = await update({ env, id, input });
              if (!r.error) {
                setEditing(false);
                setNotice("Saved.");
                again();
              }
              return r.error;
            }}
          />
        </section>
      )}
      <h2>Next fires</h2>
      <ol aria-label="Next fires">
        {rowsOf((data?.schedulePreview as { fireTimes?: unknown } | null)?.fireTimes).map((f, i) => (
          <li key={i}>{cellText(f.local ?? f.at)}</li>
        ))}
      </ol>
      {mayRun && (
        <form
          className="inline"
          onSubmit={async (e) => {
            e.preventDefault();
            const r = await backfill({ env, id, from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString() });
            if (!r.error) {
              setNotice("Backfill requested.");
              again();
            }
          }}
        >
          <strong>Backfill</strong>
          <label>from <input type="datetime-local" required value={range.from} onChange={(e) => setRange({ ...range, from: e.target.value })} /></label>
          <label>to <input type="datetime-local" required value={range.to} onChange={(e) => setRange({ ...range, to: e.target.value })} /></label>
          <button type="submit" disabled={backfillState.fetching}>Backfill</button>
        </form>
      )}
      <h2>Fire ledger</h2>
      <Ledger value={data?.scheduleFires} label="Fire ledger" empty="It has not fired yet." />
    </>
  );
}
