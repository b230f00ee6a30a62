import { useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import { ErrorBox, Loading, Empty, StateBadge } from "../components/Status";
import { useMe } from "../Layout";
import { can } from "../permissions";

const SchedulesDoc = graphql(`
  query Schedules($env: String!) {
    schedules(environment: $env) {
      id
      name
      pipeline
      cron
      rrule
      timezone
      misfirePolicy
      state
      stateReason
      nextFireAt
    }
    triggers(environment: $env) {
      id
      name
      kind
      pipeline
      state
      upstreamPipeline
      onState
      topic
      hookPath
    }
    pipelines(environment: $env) {
      name
      latestReleaseId
    }
  }
`);
const CreateScheduleDoc = graphql(`
  mutation CreateSchedule($env: String!, $input: ScheduleInput!) {
    createSchedule(environment: $env, input: $input) {
      id
    }
  }
`);

/** Schedules and event triggers of an environment (`?pipeline=` narrows to one pipeline). */
export function Schedules() {
  const { env = "" } = useParams();
  const [search] = useSearchParams();
  const only = search.get("pipeline") ?? "";
  const { me } = useMe();
  const [{ data, fetching, error }] = useQuery({ query: SchedulesDoc, variables: { env } });
  if (error && !data) return <ErrorBox error={error} />;
  if (fetching && !data) return <Loading what="schedules" />;
  const schedules = (data?.schedules ?? []).filter((s) => s && (!only || s.pipeline === only));
  const triggers = (data?.triggers ?? []).filter((t) => t && (!only || t.pipeline === only));
  const runnable = (data?.pipelines ?? [])
    .flatMap((p) => (p?.name && p.latestReleaseId && can(me, "EXECUTE", env, p.name) ? [p.name] : []))
    .filter((p) => !only || p === only);
  return (
    <>
      <h1>Schedules{only && ` of ${only}`}</h1>
      {runnable.length > 0 && <NewSchedule env={env} pipelines={runnable} />}
      {schedules.length === 0 ? (
        <Empty>No schedules{only ? ` of ${only}` : ` in ${env}`}.</Empty>
      ) : (
        <table aria-label="Schedules">
          <thead>
            <tr><th>Schedule</th><th>Pipeline</th><th>Rule</th><th>Time zone</th><th>Misfires</th><th>State</th><th>Next fire</th></tr>
          </thead>
          <tbody>
            {schedules.map((s) => s && (
              <tr key={s.id}>
                <td><Link to={`/e/${env}/schedules/${s.id}`}>{s.name}</Link></td>
                <td><Link to={`/e/${env}/pipelines/${s.pipeline}`}>{s.pipeline}</Link></td>
                <td><code>{s.cron ?? s.rrule}</code></td>
                <td>{s.timezone}</td>
                <td>{s.misfirePolicy}</td>
                <td><StateBadge state={s.state} /> {s.stateReason}</td>
                <td>{s.state === "ENABLED" ? s.nextFireAt : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Event triggers</h2>
      {triggers.length === 0 ? (
        <Empty>No event triggers{only ? ` of ${only}` : ` in ${env}`}.</Empty>
      ) : (
        <table aria-label="Triggers">
          <thead>
            <tr><th>Trigger</th><th>Kind</th><th>Pipeline</th><th>On</th><th>State</th></tr>
          </thead>
          <tbody>
            {triggers.map((t) => t && (
              <tr key={t.id}>
                <td><Link to={`/e/${env}/triggers/${t.id}`}>{t.name}</Link></td>
                <td>{t.kind}</td>
                <td><Link to={`/e/${env}/pipelines/${t.pipeline}`}>{t.pipeline}</Link></td>
                <td>
                  {t.kind === "COMPLETION" && `${t.upstreamPipeline} ${t.onState}`}
                  {t.kind === "KAFKA" && `topic ${t.topic}`}
                  {t.kind === "WEBHOOK" && <code>{t.hookPath}</code>}
                </td>
                <td><StateBadge state={t.state} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

/** A new schedule: made paused by default, so that its next fires can be checked before it runs. */
function NewSchedule({ env, pipelines }: { env: string; pipelines: string[] }) {
  const navigate = useNavigate();
  const [state, create] = useMutation(CreateScheduleDoc);
  const [f, setF] = useState({ pipeline: pipelines[0], kind: "cron", rule: "0 6 * * *", timezone: "UTC", misfirePolicy: "ALL", params: "", name: "", paused: true });
  const [paramsError, setParamsError] = useState("");
  const set = (k: keyof typeof f) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) =>
    setF({ ...f, [k]: e.target instanceof HTMLInputElement && e.target.type === "checkbox" ? e.target.checked : e.target.value });
  return (
    <details className="panel">
      <summary>New schedule</summary>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          let params: unknown = undefined;
          if (f.params.trim()) {
            try {
              params = JSON.parse(f.params);
            } catch {
              setParamsError("params: not JSON");
              return;
            }
          }
          setParamsError("");
          const r = await create({
            env,
            input: {
              pipeline: f.pipeline,
              name: f.name || undefined,
              cron: f.kind === "cron" ? f.rule : undefined,
              rrule: f.kind === "rrule" ? f.rule : undefined,
              timezone: f.timezone,
              misfirePolicy: f.misfirePolicy,
              params,
              paused: f.paused,
            },
          });
          const id = r.data?.createSchedule?.id;
          if (id) navigate(`/e/${env}/schedules/${id}`);
        }}
      >
        <label className="field">Pipeline
          <select value={f.pipeline} onChange={set("pipeline")}>{pipelines.map((p) => <option key={p}>{p}</option>)}</select>
        </label>
        <label className="field">Name (optional)<input value={f.name} onChange={set("name")} /></label>
        <label className="field">Kind
          <select value={f.kind} onChange={set("kind")}><option value="cron">cron</option><option value="rrule">RRule</option></select>
        </label>
        <label className="field">Rule<input value={f.rule} onChange={set("rule")} required /></label>
        <label className="field">Time zone (IANA)<input value={f.timezone} onChange={set("timezone")} required /></label>
        <label className="field">Missed fires
          <select value={f.misfirePolicy} onChange={set("misfirePolicy")}><option>ALL</option><option>LAST</option><option>NONE</option></select>
        </label>
        <label className="field">Params (JSON, optional)<input value={f.params} onChange={set("params")} aria-invalid={!!paramsError} /></label>
        {paramsError && <p className="error-text">{paramsError}</p>}
        <label><input type="checkbox" checked={f.paused} onChange={set("paused")} /> create it paused (check its next fires, then resume it)</label>
        {state.error && <ErrorBox error={state.error} />}
        <div className="toolbar"><button type="submit" disabled={state.fetching}>Create schedule</button></div>
      </form>
    </details>
  );
}
