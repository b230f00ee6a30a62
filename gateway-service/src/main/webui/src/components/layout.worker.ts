// Lays a big DAG out off the main thread: dagre takes most of a second for 1,000 tasks, and no
// frame can be drawn while it runs (DagView, bench/run console).
import { layout } from "../layout";
import type { DagTask } from "../dag";

const port = self as unknown as { postMessage(m: unknown): void; addEventListener(t: "message", l: (e: MessageEvent<DagTask[]>) => void): void };
port.addEventListener("message", (e) => port.postMessage(layout(e.data)));
