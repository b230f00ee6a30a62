import { useState } from "react";
import { Link, useParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import { ErrorBox, Loading, StateBadge } from "../components/Status";
import { Ledger, cellText } from "../components/Ledger";
import { useMe } from "../Layout";
import { can } from "../permissions";
import { TriggerForm, NEW_TRIGGER, type TriggerFields } from "../components/TriggerForm";

const TriggerDoc = graphql(`
  query Trigger($env: String!, $id: String!) {
    trigger(environment: $env, id: $id) {
      id
      name
      kind
      pipeline
      description
      state
      stateReason
      upstreamPipeline
      onState
      topic
      filterField
      filterValue
      hookPath
      auth
      secretName
      params
      releaseMode
      releaseId
      updatedAt
      updatedBy
    }
    triggerFires(environment: $env, id: $id, limit: 50)
  }
`);
const PauseTriggerDoc = graphql(`
  mutation PauseTrigger($env: String!, $id: String!, $paused: Boolean) {
    pauseTrigger(environment: $env, id: $id, paused: $paused) {
      id
      state
    }
  }
`);

const UpdateTriggerDoc = graphql(`
  mutation UpdateTrigger($env: String!, $id: String!, $input: TriggerInput!) {
    updateTrigger(environment: $env, id: $id, input: $input) {
      id
      token
    }
  }
`);
const UpstreamsDoc = graphql(`
  query TriggerUpstreams($env: String!) {
    pipelines(environment: $env) {
      name
    }
  }
`);

/** One event trigger: what it listens to, pause/resume and its fire ledger. */
export default function TriggerPage() {
  const { env = "", id = "" } = useParams();
  const { me } = useMe();
  const [{ data, fetching, error }, refetch] = useQuery({ query: TriggerDoc, variables: { env, id } });
  const [pauseState, pause] = useMutation(PauseTriggerDoc);
  const [, update] = useMutation(UpdateTriggerDoc);
  const [editing, setEditing] = useState(false);
  const [token, setToken] = useState("");
  const [{ data: ups }] = useQuery({ query: UpstreamsDoc, variables: { env }, pause: !editing });
  if (fetching && !data) return <Loading what="trigger" />;
  const t = data?.trigger;
  if (!t) return error ? <ErrorBox error={error} /> : <p className="empty">No trigger “{id}” in {env}.</p>;
  const mayRun = can(me, "EXECUTE", env, t.pipeline ?? undefined);
  return (
    <>
      <h1>Trigger {t.name} <StateBadge state={t.state} /></h1>
      <dl className="facts">
        <dt>Kind</dt><dd>{t.kind}</dd>
        <dt>Starts</dt><dd><Link to={`/e/${env}/pipelines/${t.pipeline}`}>{t.pipeline}</Link> ({t.releaseMode})</dd>
        {t.kind === "COMPLETION" && <><dt>When</dt><dd>{t.upstreamPipeline} ends {t.onState}</dd></>}
        {t.kind === "KAFKA" && <><dt>Topic</dt><dd>{t.topic} {t.filterField && `where ${t.filterField} = ${t.filterValue}`}</dd></>}
        {t.kind === "WEBHOOK" && <><dt>Webhook</dt><dd><code>POST {t.hookPath}</code> ({t.auth}{t.secretName && `, key in secret ${t.secretName}`})</dd></>}
        <dt>Params</dt><dd><code>{cellText(t.params) || "none"}</code></dd>
        {t.stateReason && <><dt>Why</dt><dd>{t.stateReason}</dd></>}
        <dt>Changed</dt><dd>{t.updatedAt} by {t.updatedBy}</dd>
      </dl>
      {mayRun && (
        <div className="toolbar">
          <button
            onClick={async () => {
              if (!(await pause({ env, id, paused: t.state === "ENABLED" })).error) refetch({ requestPolicy: "network-only" });
            }}
          >
            {t.state === "ENABLED" ? "Pause" : "Resume"}
          </button>
          <button onClick={() => setEditing(!editing)} aria-expanded={editing}>Edit</button>
        </div>
      )}
      {pauseState.error && <ErrorBox error={pauseState.error} />}
      {token && (
        <p className="once" role="status">
          The new token, shown this once: <code data-testid="new-token">{token}</code>
        </p>
      )}
      {editing && (
        <section aria-label="Edit trigger" className="panel">
          <h2>Edit</h2>
          <TriggerForm
            editing
            submitLabel="Save trigger"
            upstreams={(ups?.pipelines ?? []).flatMap((p) => (p?.name ? [p.name] : []))}
            initial={{
              ...NEW_TRIGGER,
              kind: (t.kind as TriggerFields["kind"]) ?? "COMPLETION",
              pipeline: t.pipeline ?? "",
              name: t.name ?? "",
              description: t.description ?? "",
              upstreamPipeline: t.upstreamPipeline ?? "",
              onState: t.onState ?? "SUCCEEDED",
              auth: t.auth ?? "TOKEN",
              secretName: t.secretName ?? "",
              topic: t.topic ?? "",
              filterField: t.filterField ?? "",
              filterValue: t.filterValue ?? "",
              params: t.params && Object.keys(t.params as object).length > 0 ? JSON.stringify(t.params) : "",
              // an edit keeps the trigger's state: pause and resume are their own button
              paused: t.state === "PAUSED",
              releaseId: t.releaseId,
            }}
            onSubmit={async (input) => {
              const r = await update({ env, id, input: { ...input, name: t.name } });
              if (!r.error) {
                setEditing(false);
                setToken(r.data?.updateTrigger?.token ?? "");
                refetch({ requestPolicy: "network-only" });
              }
              return r.error;
            }}
          />
        </section>
      )}
      <h2>Fire ledger</h2>
      <Ledger value={data?.triggerFires} label="Fire ledger" empty="No event has fired it yet." />
    </>
  );
}
