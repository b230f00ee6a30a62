import { useEffect, useState } from "react";
import { useClient, type CombinedError } from "urql";
import { graphql } from "../gql";
import type { ScheduleInput } from "../gql/graphql";
import { ErrorBox } from "./Status";
import { rowsOf, cellText } from "./Ledger";

const DraftPreviewDoc = graphql(`
  query ScheduleDraftPreview($env: String!, $input: ScheduleInput!) {
    scheduleDraftPreview(environment: $env, input: $input, count: 10)
  }
`);

export interface ScheduleFields {
  pipeline: string;
  name: string;
  description: string;
  kind: "cron" | "rrule";
  rule: string;
  timezone: string;
  misfirePolicy: string;
  params: string;
  paused: boolean;
  releaseId?: string | null;
}

/** The form's fields as a ScheduleInput, or the reason they are not one yet. */
export function inputOf(f: ScheduleFields): { input?: ScheduleInput; error?: string } {
  let params: unknown = undefined;
  if (f.params.trim()) {
    try {
      params = JSON.parse(f.params);
    } catch {
      return { error: "params: not JSON" };
    }
    if (!params || typeof params !== "object" || Array.isArray(params)) return { error: "params: must be a JSON object" };
  }
  if (!f.rule.trim()) return { error: "rule: required" };
  return {
    input: {
      pipeline: f.pipeline,
      name: f.name || undefined,
      description: f.description || undefined,
      cron: f.kind === "cron" ? f.rule.trim() : undefined,
      rrule: f.kind === "rrule" ? f.rule.trim() : undefined,
      timezone: f.timezone.trim() || "UTC",
      misfirePolicy: f.misfirePolicy,
      params,
      paused: f.paused,
      releaseId: f.releaseId || undefined,
    },
  };
}

/** How long the form waits after a keystroke before it asks for the next fires (ms). */
const PREVIEW_AFTER = 400;

/**
 * A schedule's rule, time zone, missed-fire policy and params, with the next fires of what is
 * typed (`scheduleDraftPreview`) shown before it is saved. With `requirePreview`, saving waits
 * until the rule as typed has been previewed without error.
 */
export function ScheduleForm({
  env,
  initial,
  pipelines,
  submitLabel,
  requirePreview = false,
  showPaused = true,
  onSubmit,
}: {
  env: string;
  initial: ScheduleFields;
  /** the pipelines one may choose; none: the pipeline is fixed */
  pipelines?: string[];
  submitLabel: string;
  requirePreview?: boolean;
  showPaused?: boolean;
  onSubmit: (input: ScheduleInput) => Promise<CombinedError | undefined>;
}) {
  const client = useClient();
  const [f, setF] = useState<ScheduleFields>(initial);
  const [formError, setFormError] = useState("");
  const [submitError, setSubmitError] = useState<CombinedError | undefined>();
  const [submitting, setSubmitting] = useState(false);
  const [preview, setPreview] = useState<{ key: string; fires?: string[]; error?: CombinedError }>({ key: "" });
  const set = (k: keyof ScheduleFields) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) =>
    setF({ ...f, [k]: e.target instanceof HTMLInputElement && e.target.type === "checkbox" ? e.target.checked : e.target.value });
  const { input, error: notYet } = inputOf(f);
  const key = input ? JSON.stringify(input) : "";

  useEffect(() => {
    if (!input) return;
    let gone = false;
    const t = setTimeout(async () => {
      const r = await client.query(DraftPreviewDoc, { env, input }, { requestPolicy: "network-only" }).toPromise();
      if (gone) return;
      const rows = rowsOf((r.data?.scheduleDraftPreview as { fireTimes?: unknown } | null)?.fireTimes);
      setPreview({ key, error: r.error, fires: r.error ? undefined : rows.map((x) => cellText(x.local ?? x.at)) });
    }, PREVIEW_AFTER);
    return () => {
      gone = true;
      clearTimeout(t);
    };
    // the key says all the input does
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, env, client]);

  const previewed = !!input && preview.key === key && !preview.error && !!preview.fires;
  return (
    <form
      onSubmit={async (e) => {
        e.preventDefault();
        if (!input) {
          setFormError(notYet ?? "");
          return;
        }
        setFormError("");
        setSubmitting(true);
        setSubmitError(await onSubmit(input));
        setSubmitting(false);
      }}
    >
      {pipelines && (
        <label className="field">Pipeline
          <select value={f.pipeline} onChange={set("pipeline")}>{pipelines.map((p) => <option key={p}>{p}</option>)}</select>
        </label>
      )}
      {!initial.name && <label className="field">Name (optional)<input value={f.name} onChange={set("name")} /></label>}
      <label className="field">Kind
        <select value={f.kind} onChange={set("kind")}><option value="cron">cron</option><option value="rrule">RRule</option></select>
      </label>
      <label className="field">Rule<input value={f.rule} onChange={set("rule")} required /></label>
      <label className="field">Time zone (IANA)<input value={f.timezone} onChange={set("timezone")} required /></label>
      <label className="field">Missed fires
        <select value={f.misfirePolicy} onChange={set("misfirePolicy")}><option>ALL</option><option>LAST</option><option>NONE</option></select>
      </label>
      <label className="field">Params (JSON, optional)<input value={f.params} onChange={set("params")} aria-invalid={!!formError || notYet?.startsWith("params")} /></label>
      <label className="field">Description (optional)<input value={f.description} onChange={set("description")} /></label>
      {showPaused && <label><input type="checkbox" checked={f.paused} onChange={set("paused")} /> create it paused (check its next fires, then resume it)</label>}
      {(formError || (notYet && f.params.trim() && notYet.startsWith("params"))) && <p className="error-text">{formError || notYet}</p>}
      <h3>Next fires of this rule</h3>
      {preview.key === key && preview.error ? (
        <ErrorBox error={preview.error} />
      ) : previewed ? (
        <ol aria-label="Next fires of this rule">{preview.fires!.map((t, i) => <li key={i}>{t}</li>)}</ol>
      ) : (
        <p className="muted">{input ? "Working out the next fires…" : notYet}</p>
      )}
      {submitError && <ErrorBox error={submitError} />}
      <div className="toolbar">
        <button type="submit" disabled={submitting || (requirePreview && !previewed)} title={requirePreview && !previewed ? "its next fires are shown first" : undefined}>
          {submitLabel}
        </button>
      </div>
    </form>
  );
}
