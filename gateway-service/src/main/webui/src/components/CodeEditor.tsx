import { useEffect, useRef } from "react";
import { EditorView, basicSetup } from "codemirror";
import { EditorState } from "@codemirror/state";
import { yaml } from "@codemirror/lang-yaml";

/** CodeMirror 6 for a code file: line numbers, search, YAML highlighting for .yaml/.yml files. */
export function CodeEditor({ value, onChange, readOnly, path }: {
  value: string;
  onChange: (v: string) => void;
  readOnly?: boolean;
  path: string;
}) {
  const host = useRef<HTMLDivElement>(null);
  const changed = useRef(onChange);
  changed.current = onChange;
  useEffect(() => {
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          basicSetup,
          ...(/\.ya?ml$/.test(path) ? [yaml()] : []),
          EditorState.readOnly.of(!!readOnly),
          EditorView.contentAttributes.of({ "aria-label": `file ${path}` }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) changed.current(u.state.doc.toString());
          }),
        ],
      }),
    });
    return () => v.destroy();
    // one editor per file (the page keys it by path and version)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return <div className="editor" ref={host} data-testid="file-editor" />;
}
