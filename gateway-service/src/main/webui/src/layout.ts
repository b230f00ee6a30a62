import dagre from "@dagrejs/dagre";
import type { DagTask } from "./dag";

/** a DAG node's size on screen (px) */
export const W = 160;
export const H = 44;

export interface Layout {
  nodes: { id: string; x: number; y: number }[];
  edges: [string, string][];
}

/** Lays the DAG out left to right with dagre. */
export function layout(tasks: DagTask[]): Layout {
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
