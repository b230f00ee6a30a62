import { useMemo, useRef } from "react";
import { ReactFlow, Background, type Node, type Edge, Position } from "@xyflow/react";
import dagre from "@dagrejs/dagre";
import "@xyflow/react/dist/style.css";
import type { DagTask } from "../dag";

const W = 160;
const H = 44;

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

/** Lays the DAG out left to right with dagre. */
export function layout(tasks: DagTask[]): { nodes: { id: string; x: number; y: number }[]; edges: [string, string][] } {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: 24, ranksep: 48 });
  g.setDefaultEdgeLabel(() => ({}));
  const keys = new Set(tasks.map((t) => t.key));
  tasks.forEach((t) => g.setNode(t.key, { width: W, height: H }));
  const edges: [string, string][] = [];
  tasks.forEach((t) =>
    t.dependsOn.filter((d) => keys.has(d)).forEach((d) => {
      g.setEdge(d, t.key);
      edges.push([d, t.key]);
    }),
  );
  dagre.layout(g);
  return {
    nodes: tasks.map((t) => {
      const n = g.node(t.key);
      return { id: t.key, x: (n?.x ?? 0) - W / 2, y: (n?.y ?? 0) - H / 2 };
    }),
    edges,
  };
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
  const l = useMemo(() => layout(tasks), [tasks]);
  const edges = useMemo<Edge[]>(() => l.edges.map(([a, b]) => ({ id: `${a}->${b}`, source: a, target: b })), [l]);
  // a node object is kept while its task's state and selection stay the same: React Flow then
  // reuses its internal node, and a live update of a 1,000-task run touches only what changed
  const cache = useRef(new Map<string, { state?: string; sel: boolean; node: Node }>());
  const nodes = useMemo(() => {
    const prev = cache.current;
    const next = new Map<string, { state?: string; sel: boolean; node: Node }>();
    const nodes: Node[] = l.nodes.map((n) => {
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
