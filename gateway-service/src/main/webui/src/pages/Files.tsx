import { useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import { ErrorBox, Loading, Empty } from "../components/Status";
import { CodeEditor } from "../components/CodeEditor";
import { useMe } from "../Layout";
import { can } from "../permissions";
import { apiFetch } from "../api";
import { fileTree, validPath, type TreeNode } from "../tree";

const FilesDoc = graphql(`
  query Files($env: String!, $name: String!) {
    files(environment: $env, pipeline: $name) {
      path
      sizeBytes
      modifiedAt
      modifiedBy
    }
  }
`);
const FileDoc = graphql(`
  query File($env: String!, $name: String!, $path: String!) {
    file(environment: $env, pipeline: $name, path: $path) {
      path
      sizeBytes
      text
    }
  }
`);
const WriteDoc = graphql(`
  mutation WriteFile($env: String!, $name: String!, $path: String!, $content: String!) {
    writeFile(environment: $env, pipeline: $name, path: $path, content: $content) {
      path
      digest
    }
  }
`);
const DeleteFileDoc = graphql(`
  mutation DeleteFile($env: String!, $name: String!, $path: String!) {
    deleteFile(environment: $env, pipeline: $name, path: $path)
  }
`);

const fileUrl = (env: string, name: string, path: string) =>
  `/api/files/${encodeURIComponent(env)}/${encodeURIComponent(name)}/${path.split("/").map(encodeURIComponent).join("/")}`;

/** A pipeline's code files: the tree, an editor for a text file (`?path=`), new, upload, delete. */
export default function Files() {
  const { env = "", name = "" } = useParams();
  const [search, setSearch] = useSearchParams();
  const path = search.get("path") ?? "";
  const { me } = useMe();
  const mayWrite = can(me, "WRITE", env, name);
  const mayDelete = can(me, "DELETE", env, name);
  const [{ data, fetching, error }, refetch] = useQuery({ query: FilesDoc, variables: { env, name } });
  const [newPath, setNewPath] = useState("");
  const [uploadError, setUploadError] = useState("");
  const again = () => refetch({ requestPolicy: "network-only" });
  const files = (data?.files ?? []).flatMap((f) => (f?.path ? [f.path] : []));
  return (
    <>
      <h1><Link to={`/e/${env}/pipelines/${name}`}>{name}</Link>: code files</h1>
      {mayWrite && (
        <div className="toolbar">
          <form
            className="inline"
            onSubmit={(e) => {
              e.preventDefault();
              if (validPath(newPath)) setSearch({ path: newPath });
            }}
          >
            <label>New file <input value={newPath} onChange={(e) => setNewPath(e.target.value)} placeholder="lib/util.py" aria-invalid={!!newPath && !validPath(newPath)} /></label>
            <button type="submit" disabled={!validPath(newPath)}>Open</button>
          </form>
          <label>
            Upload{" "}
            <input
              type="file"
              multiple
              onChange={async (e) => {
                setUploadError("");
                for (const f of Array.from(e.target.files ?? [])) {
                  const target = path.includes("/") ? path.slice(0, path.lastIndexOf("/") + 1) + f.name : f.name;
                  const res = await apiFetch(fileUrl(env, name, target), { method: "PUT", body: f, headers: { "Content-Type": "application/octet-stream" } });
                  if (!res.ok) setUploadError(`${f.name}: ${res.status} ${await res.text()}`);
                }
                e.target.value = "";
                again();
              }}
            />
          </label>
        </div>
      )}
      {uploadError && <p role="alert" className="error">{uploadError}</p>}
      {error && !data && <ErrorBox error={error} />}
      <div className="files">
        <nav aria-label="Files">
          {fetching && !data ? <Loading what="files" /> : files.length === 0 ? <Empty>No code files yet.</Empty> : <Tree nodes={fileTree(files)} selected={path} />}
        </nav>
        <section aria-label="File">
          {path ? (
            <FileEditor key={path} env={env} name={name} path={path} exists={files.includes(path)} mayWrite={mayWrite} mayDelete={mayDelete} onChanged={again} onDeleted={() => { setSearch({}); again(); }} />
          ) : (
            <Empty>Choose a file.</Empty>
          )}
        </section>
      </div>
    </>
  );
}

function Tree({ nodes, selected }: { nodes: TreeNode[]; selected: string }) {
  return (
    <ul className="tree">
      {nodes.map((n) => (
        <li key={n.name + (n.path ?? "/")}>
          {n.path === undefined ? (
            <>
              <span className="folder">{n.name}/</span>
              <Tree nodes={n.children} selected={selected} />
            </>
          ) : (
            <Link to={`?path=${encodeURIComponent(n.path)}`} aria-current={n.path === selected ? "page" : undefined}>{n.name}</Link>
          )}
        </li>
      ))}
    </ul>
  );
}

function FileEditor({ env, name, path, exists, mayWrite, mayDelete, onChanged, onDeleted }: {
  env: string; name: string; path: string; exists: boolean; mayWrite: boolean; mayDelete: boolean; onChanged: () => void; onDeleted: () => void;
}) {
  const [{ data, fetching, error }] = useQuery({ query: FileDoc, variables: { env, name, path }, pause: !exists, requestPolicy: "network-only" });
  const [writeState, write] = useMutation(WriteDoc);
  const [deleteState, remove] = useMutation(DeleteFileDoc);
  const [draft, setDraft] = useState<string | null>(null);
  const [notice, setNotice] = useState("");
  if (exists && fetching && !data) return <Loading what={path} />;
  if (exists && error && !data) return <ErrorBox error={error} />;
  const f = data?.file;
  if (exists && f && f.text == null)
    return <p>{path} is a binary file ({String(f.sizeBytes)} bytes): <a href={fileUrl(env, name, path)}>download</a>.</p>;
  const text = draft ?? f?.text ?? "";
  return (
    <>
      <div className="toolbar">
        <strong>{path}</strong>{!exists && " (new)"}
        {mayWrite && (
          <button
            disabled={writeState.fetching || draft === null}
            onClick={async () => {
              const r = await write({ env, name, path, content: text });
              if (!r.error) {
                setNotice("Saved.");
                setDraft(null);
                onChanged();
              }
            }}
          >
            Save file
          </button>
        )}
        {mayDelete && exists && (
          <button
            onClick={async () => {
              if (window.confirm(`Delete ${path}?`) && !(await remove({ env, name, path })).error) onDeleted();
            }}
          >
            Delete file
          </button>
        )}
        {exists && <a href={fileUrl(env, name, path)}>download</a>}
        <span role="status" className="notice">{notice}</span>
      </div>
      {(writeState.error ?? deleteState.error) && <ErrorBox error={(writeState.error ?? deleteState.error)!} />}
      <CodeEditor key={String(f?.text?.length ?? -1)} value={text} onChange={setDraft} readOnly={!mayWrite} path={path} />
    </>
  );
}
