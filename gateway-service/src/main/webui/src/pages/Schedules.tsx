import { useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import { ErrorBox, Loading, Empty, StateBadge } from "../components/Status";
import { useMe } from "../Layout";
import { can } from "../permissions";
import { ScheduleForm } from "../components/ScheduleForm";
import { TriggerForm, NEW_TRIGGER } from "../components/TriggerForm";

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
const CreateTriggerDoc = graphql(`
  mutation CreateTrigger($env: String!, $input: TriggerInput!) {
    createTrigger(environment: $env, input: $input) {
      id
      name
      kind
      hookPath
      token
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
      {runnable.length > 0 && (
        <NewTrigger env={env} pipelines={runnable} upstreams={(data?.pipelines ?? []).flatMap((p) => (p?.name ? [p.name] : []))} />
      )}
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

/** A new schedule: its next fires shown as it is typed; made paused by default, so they can be checked again before it runs. */
function NewSchedule({ env, pipelines }: { env: string; pipelines: string[] }) {
  const navigate = useNavigate();
  const [, create] = useMutation(CreateScheduleDoc);
  return (
    <details className="panel">
      <summary>New schedule</summary>
      <ScheduleForm
        env={env}
        pipelines={pipelines}
        submitLabel="Create schedule"
        initial={{ pipeline: pipelines[0], name: "", description: "", kind: "cron", rule: "0 6 * * *", timezone: "UTC", misfirePolicy: "ALL", params: "", paused: true }}
        onSubmit={async (input) => {
          const r = await create({ env, input });
          const id = r.data?.createSchedule?.id;
          if (id) navigate(`/e/${env}/schedules/${id}`);
          return r.error;
        }}
      />
    </details>
  );
}

/** A new event trigger; a webhook's token is shown here once (it is stored hashed). */
function NewTrigger({ env, pipelines, upstreams }: { env: string; pipelines: string[]; upstreams: string[] }) {
  const navigate = useNavigate();
  const [, create] = useMutation(CreateTriggerDoc);
  const [made, setMade] = useState<{ id: string; name: string; hookPath?: string | null; token: string } | null>(null);
  if (made)
    return (
      <div className="panel once" role="status">
        <p>
          Trigger <Link to={`/e/${env}/triggers/${made.id}`}>{made.name}</Link> made. POST to <code>{made.hookPath}</code> with this token; it is shown
          this once: <code data-testid="new-token">{made.token}</code>{" "}
          <button onClick={() => navigator.clipboard?.writeText(made.token)}>Copy</button>{" "}
          <button onClick={() => setMade(null)}>Done</button>
        </p>
      </div>
    );
  return (
    <details className="panel">
      <summary>New event trigger</summary>
      <TriggerForm
        initial={{ ...NEW_TRIGGER, pipeline: pipelines[0] }}
        pipelines={pipelines}
        upstreams={upstreams}
        submitLabel="Create trigger"
        onSubmit={async (input) => {
          const r = await create({ env, input });
          const t = r.data?.createTrigger;
          if (t?.id && t.token) setMade({ id: t.id, name: t.name ?? t.id, hookPath: t.hookPath, token: t.token });
          else if (t?.id) navigate(`/e/${env}/triggers/${t.id}`);
          return r.error;
        }}
      />
    </details>
  );
}
