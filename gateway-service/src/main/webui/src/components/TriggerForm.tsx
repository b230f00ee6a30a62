import { useState } from "react";
import type { CombinedError } from "urql";
import type { TriggerInput } from "../gql/graphql";
import { ErrorBox } from "./Status";

export interface TriggerFields {
  kind: "COMPLETION" | "WEBHOOK" | "KAFKA";
  pipeline: string;
  name: string;
  description: string;
  upstreamPipeline: string;
  onState: string;
  auth: string;
  secretName: string;
  topic: string;
  filterField: string;
  filterValue: string;
  params: string;
  paused: boolean;
  rotateToken: boolean;
  releaseId?: string | null;
}

export const NEW_TRIGGER: Omit<TriggerFields, "pipeline"> = {
  kind: "COMPLETION", name: "", description: "", upstreamPipeline: "", onState: "SUCCEEDED", auth: "TOKEN", secretName: "",
  topic: "", filterField: "", filterValue: "", params: "", paused: true, rotateToken: false,
};

/** The form's fields as a TriggerInput (only what its kind uses), or what is missing. */
export function triggerInputOf(f: TriggerFields): { input?: TriggerInput; error?: string } {
  let params: unknown = undefined;
  if (f.params.trim()) {
    try {
      params = JSON.parse(f.params);
    } catch {
      return { error: "params: not JSON" };
    }
    if (!params || typeof params !== "object" || Array.isArray(params)) return { error: "params: must be a JSON object" };
  }
  const v = (s: string) => s.trim() || undefined;
  const input: TriggerInput = { kind: f.kind, pipeline: f.pipeline, name: v(f.name), description: v(f.description), params, paused: f.paused, releaseId: f.releaseId || undefined };
  switch (f.kind) {
    case "COMPLETION":
      if (!v(f.upstreamPipeline)) return { error: "upstream pipeline: required" };
      return { input: { ...input, upstreamPipeline: v(f.upstreamPipeline), onState: f.onState } };
    case "WEBHOOK":
      if (f.auth === "HMAC" && !v(f.secretName)) return { error: "secret: required for HMAC" };
      return { input: { ...input, auth: f.auth, secretName: f.auth === "HMAC" ? v(f.secretName) : undefined, rotateToken: f.rotateToken || undefined } };
    case "KAFKA":
      if (!v(f.topic)) return { error: "topic: required" };
      if (!!v(f.filterField) !== !!v(f.filterValue)) return { error: "filter: give both a field and a value, or neither" };
      return { input: { ...input, topic: v(f.topic), filterField: v(f.filterField), filterValue: v(f.filterValue) } };
  }
}

/** A new or edited event trigger: a pipeline's completion, a webhook or a Kafka message. */
export function TriggerForm({
  initial,
  pipelines,
  upstreams,
  editing = false,
  submitLabel,
  onSubmit,
}: {
  initial: TriggerFields;
  /** pipelines it may start (none: fixed) */
  pipelines?: string[];
  /** pipelines whose completion it may watch */
  upstreams: string[];
  editing?: boolean;
  submitLabel: string;
  onSubmit: (input: TriggerInput) => Promise<CombinedError | undefined>;
}) {
  const [f, setF] = useState<TriggerFields>(initial);
  const [formError, setFormError] = useState("");
  const [submitError, setSubmitError] = useState<CombinedError | undefined>();
  const [submitting, setSubmitting] = useState(false);
  const set = (k: keyof TriggerFields) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) =>
    setF({ ...f, [k]: e.target instanceof HTMLInputElement && e.target.type === "checkbox" ? e.target.checked : e.target.value });
  return (
    <form
      onSubmit={async (e) => {
        e.preventDefault();
        const { input, error } = triggerInputOf(f);
        setFormError(error ?? "");
        if (!input) return;
        setSubmitting(true);
        setSubmitError(await onSubmit(input));
        setSubmitting(false);
      }}
    >
      {pipelines && (
        <label className="field">Pipeline it starts
          <select value={f.pipeline} onChange={set("pipeline")}>{pipelines.map((p) => <option key={p}>{p}</option>)}</select>
        </label>
      )}
      {!editing && <label className="field">Name (optional)<input value={f.name} onChange={set("name")} /></label>}
      <label className="field">Kind
        <select value={f.kind} onChange={set("kind")} disabled={editing}>
          <option value="COMPLETION">another pipeline's completion</option>
          <option value="WEBHOOK">webhook</option>
          <option value="KAFKA">Kafka message</option>
        </select>
      </label>
      {f.kind === "COMPLETION" && (
        <>
          <label className="field">Upstream pipeline
            <select value={f.upstreamPipeline} onChange={set("upstreamPipeline")}>
              <option value="">choose…</option>
              {upstreams.map((p) => <option key={p}>{p}</option>)}
            </select>
          </label>
          <label className="field">When it ends
            <select value={f.onState} onChange={set("onState")}><option>SUCCEEDED</option><option>FAILED</option><option>ANY</option></select>
          </label>
        </>
      )}
      {f.kind === "WEBHOOK" && (
        <>
          <label className="field">Authentication
            <select value={f.auth} onChange={set("auth")}><option value="TOKEN">token (shown once)</option><option value="HMAC">HMAC signature</option></select>
          </label>
          {f.auth === "HMAC" && <label className="field">Secret with the signing key<input value={f.secretName} onChange={set("secretName")} /></label>}
          {editing && f.auth === "TOKEN" && <label><input type="checkbox" checked={f.rotateToken} onChange={set("rotateToken")} /> issue a new token (the old one stops working)</label>}
        </>
      )}
      {f.kind === "KAFKA" && (
        <>
          <label className="field">Topic<input value={f.topic} onChange={set("topic")} /></label>
          <label className="field">Filter field (optional, dots for nesting)<input value={f.filterField} onChange={set("filterField")} /></label>
          <label className="field">Filter value<input value={f.filterValue} onChange={set("filterValue")} /></label>
        </>
      )}
      <label className="field">Params (JSON of Mustache templates, optional)<input value={f.params} onChange={set("params")} aria-invalid={formError.startsWith("params")} placeholder='{"day": "{{ upstream.params.day }}"}' /></label>
      <label className="field">Description (optional)<input value={f.description} onChange={set("description")} /></label>
      {!editing && <label><input type="checkbox" checked={f.paused} onChange={set("paused")} /> create the trigger paused</label>}
      {formError && <p className="error-text">{formError}</p>}
      {submitError && <ErrorBox error={submitError} />}
      <div className="toolbar"><button type="submit" disabled={submitting}>{submitLabel}</button></div>
    </form>
  );
}
