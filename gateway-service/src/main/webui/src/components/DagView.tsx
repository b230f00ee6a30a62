import { useEffect, useMemo, useRef, useState } from "react";
import { ReactFlow, Background, type Node, type Edge, Position } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import type { DagTask } from "../dag";
import { layout, W, type Layout } from "../layout";

export const STATE_COLOURS: Record<string, string> = {
  SUCCEEDED: "#16a34a",
  FAILED: "#dc2626",
  UPSTREAM_FAILED: "#f97316",
  RUNNING: "#2563eb",
  QUEUED: "#a855f7",
  PENDING: "#9ca3af",
  CANCELLED: "#6b7280",
  SKIPPED: "#d1d5db",
};

export { layout };

/** a node's drawn height (12 px text, 10 px padding, 2 px border), and where its edges attach */
const NODE_H = 38;
const HANDLES: NonNullable<Node["handles"]> = [
  { type: "target", position: Position.Left, x: -3, y: NODE_H / 2 - 3, width: 6, height: 6 },
  { type: "source", position: Position.Right, x: W - 3, y: NODE_H / 2 - 3, width: 6, height: 6 },
];

/** from this many tasks the layout is made in a worker, and the page stays responsive meanwhile */
export const LAYOUT_IN_WORKER_FROM = 150;

/** The layout of the tasks: at once for a small DAG, from a worker for a big one (null until it answers). */
function useLayout(tasks: DagTask[]): Layout | null {
  const inWorker = tasks.length >= LAYOUT_IN_WORKER_FROM && typeof Worker !== "undefined";
  const now = useMemo(() => (inWorker ? null : layout(tasks)), [tasks, inWorker]);
  const [made, setMade] = useState<{ tasks: DagTask[]; layout: Layout } | null>(null);
  useEffect(() => {
    if (!inWorker) return;
    let worker: Worker | null = null;
    let done = false;
    const finish = (l: Layout) => {
      if (done) return;
      done = true;
      worker?.terminate();
      setMade({ tasks, layout: l });
    };
    try {
      worker = new Worker(new URL("./layout.worker.ts", import.meta.url), { type: "module" });
      worker.addEventListener("message", (e: MessageEvent<Layout>) => finish(e.data));
      // no worker (a policy, an old browser): lay it out here after all
      worker.addEventListener("error", () => finish(layout(tasks)));
      worker.postMessage(tasks);
    } catch {
      finish(layout(tasks));
    }
    return () => {
      done = true;
      worker?.terminate();
    };
  }, [tasks, inWorker]);
  if (!inWorker) return now;
  return made?.tasks === tasks ? made.layout : null;
}

/** The DAG, each task coloured by its state when one is given; a click selects a task. */
export function DagView({
  tasks,
  states = {},
  selected,
  onSelect,
}: {
  tasks: DagTask[];
  states?: Record<string, string | undefined>;
  selected?: string;
  onSelect?: (key: string) => void;
}) {
  // the layout depends on the tasks alone: a live update (a state) must not lay out 1,000 nodes again
  const l = useLayout(tasks);
  const edges = useMemo<Edge[]>(() => (l?.edges ?? []).map(([a, b]) => ({ id: `${a}->${b}`, source: a, target: b })), [l]);
  // a node object is kept while its task's state and selection stay the same: React Flow then
  // reuses its internal node, and a live update of a 1,000-task run touches only what changed
  const cache = useRef(new Map<string, { state?: string; sel: boolean; node: Node }>());
  const nodes = useMemo(() => {
    const prev = cache.current;
    const next = new Map<string, { state?: string; sel: boolean; node: Node }>();
    const nodes: Node[] = (l?.nodes ?? []).map((n) => {
      const state = states[n.id];
      const sel = selected === n.id;
      const kept = prev.get(n.id);
      if (kept && kept.state === state && kept.sel === sel && kept.node.position.x === n.x && kept.node.position.y === n.y) {
        next.set(n.id, kept);
        return kept.node;
      }
      const colour = state ? STATE_COLOURS[state] ?? "#9ca3af" : "#e5e7eb";
      const node: Node = {
        id: n.id,
        position: { x: n.x, y: n.y },
        // its size and handles known before it is drawn: React Flow then draws only the nodes in
        // view (onlyRenderVisibleElements), where it would otherwise draw and measure all 1,000
        // of a big run once before culling them
        initialWidth: W,
        initialHeight: NODE_H,
        handles: HANDLES,
        data: { label: state ? `${n.id} · ${state}` : n.id },
        sourcePosition: Position.Right,
        targetPosition: Position.Left,
        className: `dag-node${state ? " state-" + state.toLowerCase() : ""}`,
        style: {
          width: W,
          border: `2px solid ${sel ? "#111827" : colour}`,
          background: state ? colour + "22" : "#fff",
          fontSize: 12,
        },
        ariaLabel: state ? `task ${n.id}: ${state}` : `task ${n.id}`,
      };
      next.set(n.id, { state, sel, node });
      return node;
    });
    cache.current = next;
    return nodes;
  }, [l, states, selected]);
  if (tasks.length === 0) return <p className="empty">No tasks to draw yet.</p>;
  if (!l)
    return (
      <div className="dag" data-testid="dag" aria-busy="true">
        <p className="muted">Laying out {tasks.length} tasks…</p>
      </div>
    );
  return (
    <div className="dag" data-testid="dag">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        fitView
        nodesDraggable={false}
        nodesConnectable={false}
        onlyRenderVisibleElements
        onNodeClick={(_, n) => onSelect?.(n.id)}
        proOptions={{ hideAttribution: true }}
      >
        <Background />
      </ReactFlow>
    </div>
  );
}
