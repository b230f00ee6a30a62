import { useCallback, useMemo, useState } from "react";
import { useNavigate, useParams, useSearchParams } from "react-router";
import { useClient, useMutation, useQuery, type CombinedError } from "urql";
import type { Diagnostic } from "@codemirror/lint";
import { graphql } from "../gql";
import { Editor } from "../components/Editor";
import { DagView } from "../components/DagView";
import { Releases } from "../components/Releases";
import { ErrorBox, Loading } from "../components/Status";
import { useMe } from "../Layout";
import { can } from "../permissions";
import { rangeOf, lineOf } from "../yamlPaths";
import { tasksOf, paramsOf, coerceParams, type ParamSpec } from "../dag";

const PipelineDoc = graphql(`
  query Pipeline($env: String!, $name: String!) {
    pipeline(environment: $env, name: $name) {
      name
      source
      sourceFormat
      latestReleaseId
      updatedAt
    }
  }
`);
const ValidateDoc = graphql(`
  mutation Validate($env: String!, $name: String!, $definition: String) {
    validatePipeline(environment: $env, name: $name, definition: $definition) {
      valid
      errors {
        path
        code
        message
      }
    }
  }
`);
const SaveDoc = graphql(`
  mutation Save($env: String!, $name: String!, $definition: String!) {
    savePipeline(environment: $env, name: $name, definition: $definition) {
      name
      updatedAt
      latestReleaseId
    }
  }
`);
const ReleaseDoc = graphql(`
  mutation Release($env: String!, $name: String!) {
    releasePipeline(environment: $env, pipeline: $name) {
      id
      digest
    }
  }
`);
const StartDoc = graphql(`
  mutation StartRun($env: String!, $name: String!, $params: Object, $requestId: String) {
    startRun(environment: $env, pipeline: $name, params: $params, requestId: $requestId) {
      id
      state
    }
  }
`);

const TEMPLATE = `tasks:
  - key: hello
    runtime: bash
    script: echo hello
`;

export default function PipelinePage() {
  const { env = "", name = "" } = useParams();
  const [search] = useSearchParams();
  const { me } = useMe();
  const client = useClient();
  const navigate = useNavigate();
  const [{ data, fetching, error }, refetch] = useQuery({ query: PipelineDoc, variables: { env, name } });
  const [draft, setDraft] = useState<string | null>(null);
  const [problems, setProblems] = useState<{ line: number; code: string; message: string }[]>([]);
  const [saveState, save] = useMutation(SaveDoc);
  const [releaseState, release] = useMutation(ReleaseDoc);
  const [notice, setNotice] = useState<string>("");
  const [starting, setStarting] = useState(false);

  const pipeline = data?.pipeline;
  const isNew = !pipeline && search.get("new") === "1";
  const text = draft ?? pipeline?.source ?? (isNew ? TEMPLATE : "");
  const mayWrite = can(me, "WRITE", env, name);
  const mayRelease = can(me, "RELEASE", env, name);
  const mayRun = can(me, "EXECUTE", env, name);

  const check = useCallback(
    async (t: string): Promise<Diagnostic[]> => {
      const r = await client
        .mutation(ValidateDoc, { env, name, definition: t }, { requestPolicy: "network-only" })
        .toPromise();
      const errors = r.data?.validatePipeline?.errors ?? [];
      const diags: Diagnostic[] = errors.map((e) => {
        const { from, to } = rangeOf(t, e?.path ?? "$");
        return { from, to: Math.min(to, t.length), severity: "error", message: `${e?.code}: ${e?.message} (${e?.path})` };
      });
      setProblems(
        errors.map((e) => ({
          line: lineOf(t, rangeOf(t, e?.path ?? "$").from),
          code: e?.code ?? "",
          message: e?.message ?? "",
        })),
      );
      return diags;
    },
    [client, env, name],
  );

  const tasks = useMemo(() => tasksOf(text), [text]);
  const params = useMemo(() => paramsOf(text), [text]);

  const notFound = !!error?.graphQLErrors.some((e) => e.extensions?.code === "NOT_FOUND");
  if (fetching && !data && !error) return <Loading what="pipeline" />;
  if (error && !pipeline && !notFound) return <ErrorBox error={error} />;
  if (!pipeline && !isNew) return <p className="empty">No pipeline “{name}” in {env}.</p>;

  const mutationError: CombinedError | undefined = saveState.error ?? releaseState.error;
  return (
    <>
      <h1>
        {name} {pipeline?.latestReleaseId ? <span className="badge">released</span> : <span className="badge">draft</span>}
      </h1>
      <div className="toolbar">
        {mayWrite && (
          <button
            disabled={saveState.fetching}
            onClick={async () => {
              const r = await save({ env, name, definition: text });
              if (!r.error) {
                setNotice("Saved.");
                setDraft(null);
                refetch({ requestPolicy: "network-only" });
                if (isNew) navigate(`/e/${env}/pipelines/${name}`, { replace: true });
              }
            }}
          >
            Save
          </button>
        )}
        {mayRelease && pipeline && (
          <button
            disabled={releaseState.fetching || draft !== null}
            title={draft !== null ? "save first" : undefined}
            onClick={async () => {
              const r = await release({ env, name });
              if (!r.error) {
                setNotice(`Released ${r.data?.releasePipeline?.id?.slice(0, 8) ?? ""}.`);
                refetch({ requestPolicy: "network-only" });
              }
            }}
          >
            Release
          </button>
        )}
        {mayRun && pipeline?.latestReleaseId && <button onClick={() => setStarting(true)}>Start run…</button>}
        <span role="status" className="notice">{notice}</span>
      </div>
      {mutationError && <ErrorBox error={mutationError} />}
      <div className="split">
        <section aria-label="Definition">
          <Editor value={text} onChange={setDraft} check={check} readOnly={!mayWrite} />
          <ul className="problems" data-testid="problems" aria-label="Problems">
            {problems.map((p, i) => (
              <li key={i}>
                line {p.line}: <code>{p.code}</code> {p.message}
              </li>
            ))}
          </ul>
        </section>
        <section aria-label="DAG preview">
          <DagView tasks={tasks} />
        </section>
      </div>
      {pipeline && <Releases env={env} name={name} current={pipeline.latestReleaseId} onChanged={() => refetch({ requestPolicy: "network-only" })} />}
      {starting && (
        <StartRunDialog
          params={params}
          onClose={() => setStarting(false)}
          onStart={async (values) => {
            const r = await client
              .mutation(StartDoc, { env, name, params: values, requestId: crypto.randomUUID() })
              .toPromise();
            if (r.data?.startRun?.id) navigate(`/e/${env}/runs/${r.data.startRun.id}`);
            return r.error;
          }}
        />
      )}
    </>
  );
}

/** The start-run form, generated from the pipeline's declared params. */
export function StartRunDialog({
  params,
  onClose,
  onStart,
}: {
  params: ParamSpec[];
  onClose: () => void;
  onStart: (params: Record<string, unknown>) => Promise<CombinedError | undefined>;
}) {
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(params.map((p) => [p.name, p.default === undefined ? "" : typeof p.default === "object" ? JSON.stringify(p.default) : String(p.default)])),
  );
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [apiError, setApiError] = useState<CombinedError | undefined>();
  return (
    <div role="dialog" aria-modal="true" aria-labelledby="start-title" className="dialog">
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          const c = coerceParams(params, values);
          setErrors(c.errors);
          if (Object.keys(c.errors).length === 0) setApiError(await onStart(c.params));
        }}
      >
        <h2 id="start-title">Start a run</h2>
        {params.length === 0 && <p>This pipeline takes no params.</p>}
        {params.map((p) => (
          <label key={p.name} className="field">
            <span>
              {p.name} <small>({p.type}{p.required ? ", required" : ""})</small>
            </span>
            {p.type === "boolean" ? (
              <select name={p.name} value={values[p.name]} onChange={(e) => setValues({ ...values, [p.name]: e.target.value })}>
                <option value="">—</option>
                <option value="true">true</option>
                <option value="false">false</option>
              </select>
            ) : (
              <input
                name={p.name}
                type={p.type === "integer" || p.type === "number" ? "number" : "text"}
                required={p.required && p.default === undefined}
                value={values[p.name]}
                onChange={(e) => setValues({ ...values, [p.name]: e.target.value })}
                aria-invalid={!!errors[p.name]}
              />
            )}
            {p.description && <small>{p.description}</small>}
            {errors[p.name] && <small className="error-text">{errors[p.name]}</small>}
          </label>
        ))}
        {apiError && <ErrorBox error={apiError} />}
        <div className="toolbar">
          <button type="submit">Start</button>
          <button type="button" onClick={onClose}>Cancel</button>
        </div>
      </form>
    </div>
  );
}
