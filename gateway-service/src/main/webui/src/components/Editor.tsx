import { useEffect, useRef } from "react";
import { EditorView, basicSetup } from "codemirror";
import { EditorState } from "@codemirror/state";
import { yaml } from "@codemirror/lang-yaml";
import { linter, lintGutter, type Diagnostic } from "@codemirror/lint";

export type Check = (text: string) => Promise<Diagnostic[]>;

/** CodeMirror 6 with YAML and a linter that calls `check` as one types (debounced by the linter). */
export function Editor({ value, onChange, check, readOnly }: {
  value: string;
  onChange: (v: string) => void;
  check: Check;
  readOnly?: boolean;
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const changed = useRef(onChange);
  changed.current = onChange;
  const checker = useRef(check);
  checker.current = check;
  // a value set from outside (a saved draft read back) is not an edit of the person's
  const applying = useRef(false);

  useEffect(() => {
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          basicSetup,
          yaml(),
          lintGutter(),
          linter((ev) => checker.current(ev.state.doc.toString()), { delay: 400 }),
          EditorState.readOnly.of(!!readOnly),
          EditorView.contentAttributes.of({ "aria-label": "pipeline definition" }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged && !applying.current) changed.current(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    return () => v.destroy();
    // the editor is made once; later values come from typing
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value) {
      applying.current = true;
      try {
        v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
      } finally {
        applying.current = false;
      }
    }
  }, [value]);

  return <div className="editor" ref={host} data-testid="editor" />;
}
