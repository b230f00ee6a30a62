// The console's figures (a benchmark, not a test): bench/run console
//  1. first-load JavaScript of the initial route, gzipped: what Chromium fetched to show /e/<env>
//  2. the run page of a 1,000-task run in Chromium: the longest main-thread task (no frame can be
//     shown while one runs) while it renders, and while it follows live updates, from Chromium's
//     trace (Tracing through playwright-core)
// Against a stand-in gateway (this file: the built console, GraphQL answers and a
// graphql-transport-ws subscription of its own making), so that the figures are the browser's
// and not the platform's. Prints one JSON line of figures, last.
import { createRequire } from "node:module";
import { createServer } from "node:http";
import { readFileSync, existsSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join, extname, resolve } from "node:path";
import { loadavg } from "node:os";

const WEBUI = resolve(process.argv[2] ?? "gateway-service/src/main/webui");
const DIST = resolve(process.env.DIST ?? join(WEBUI, "dist"));
const require = createRequire(join(WEBUI, "package.json"));
const { chromium } = require("playwright-core");
const { WebSocketServer } = require("ws");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const TASKS = Number(process.env.TASKS ?? 1000);
/** rows the run page's task table draws at first (RunPage.tsx TABLE_CAP) */
const TABLE_ROWS = 100;
const LIVE_MS = Number(process.env.LIVE_MS ?? 15000);
const ENV = "bench";
const RUN = "00000000-0000-4000-8000-000000000001";

// ---- the run: 10 layers of TASKS/10 tasks, each after one task of the layer before ----
const width = Math.max(1, Math.floor(TASKS / 10));
const keys = Array.from({ length: TASKS }, (_, i) => `t${String(i).padStart(4, "0")}`);
const definition = {
  tasks: keys.map((key, i) => ({ key, runtime: "bash", script: "true", dependsOn: i >= width ? [keys[i - width]] : [] })),
};
const T0 = Date.now() - 60_000;
const task = keys.map((key, i) => ({ key, id: `tr-${i}`, state: i < width ? "RUNNING" : "PENDING", started: i < width ? T0 : null, finished: null }));
const iso = (t) => (t == null ? null : new Date(t).toISOString());
function runJson() {
  const done = task.every((t) => t.state === "SUCCEEDED");
  return {
    id: RUN, pipeline: "wide", environment: ENV, state: done ? "SUCCEEDED" : "RUNNING", error: null, params: { day: "2026-12-07" },
    releaseId: "rel-1", createdAt: iso(T0), startedAt: iso(T0), finishedAt: null, slaDueAt: iso(T0 + 3600_000), slaMissedAt: null,
    waitingReason: null,
    taskRuns: task.map((t) => ({
      id: t.id, taskKey: t.key, state: t.state, attempt: 1, error: null, outputs: null, startedAt: iso(t.started), finishedAt: iso(t.finished),
      waitingReason: t.state === "PENDING" ? { kind: "UPSTREAM_RUNNING", message: "waits for its upstream task", position: null, until: null } : null,
      attempts: t.started == null ? [] : [{ attempt: 1, state: t.state, outcome: t.finished ? "SUCCEEDED" : null, dispatchedAt: iso(t.started), claimedAt: iso(t.started), startedAt: iso(t.started), finishedAt: iso(t.finished), workerId: "w1", exitCode: t.finished ? 0 : null, error: null }],
    })),
  };
}
// each tick: some running tasks succeed, the tasks after them start; one update per change
const listeners = new Set();
let updatesSent = 0;
function send(u) {
  updatesSent++;
  for (const l of listeners) l(u);
}
function tick(n) {
  const now = Date.now();
  let changed = 0;
  for (let i = 0; i < task.length && changed < n; i++) {
    const t = task[i];
    if (t.state !== "RUNNING") continue;
    t.state = "SUCCEEDED";
    t.finished = now;
    changed++;
    send({ kind: "TASK_RUN", runId: RUN, attempt: 1, previous: "RUNNING", state: "SUCCEEDED", taskKey: t.key, taskRunId: t.id, error: null });
    const next = task[i + width];
    if (next && next.state === "PENDING") {
      next.state = "RUNNING";
      next.started = now;
      // as the orchestrator sends them: PENDING -> QUEUED -> RUNNING
      send({ kind: "TASK_RUN", runId: RUN, attempt: 1, previous: "PENDING", state: "QUEUED", taskKey: next.key, taskRunId: next.id, error: null });
      send({ kind: "TASK_RUN", runId: RUN, attempt: 1, previous: "QUEUED", state: "RUNNING", taskKey: next.key, taskRunId: next.id, error: null });
    }
  }
}

// ---- the stand-in gateway ----
let runReads = 0;
const ANSWERS = {
  Me: () => ({ me: { name: "bench", subject: "bench", admin: true, bindings: [] }, environments: [{ name: ENV, description: "" }] }),
  Home: () => ({ runs: { items: [], nextCursor: null }, workers: [] }),
  Run: () => (runReads++, { run: runJson() }),
  RunRelease: () => ({ release: { id: "rel-1", definition } }),
};
// the gateway's Content-Security-Policy (gateway-service application.properties): the page, and the
// DAG's layout worker, must work under it
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
const TYPES = { ".js": "text/javascript", ".css": "text/css", ".html": "text/html", ".svg": "image/svg+xml", ".ico": "image/x-icon" };
const server = createServer((req, res) => {
  if (req.method === "POST" && req.url.startsWith("/graphql")) {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const { operationName, query } = JSON.parse(body || "{}");
      const name = operationName ?? /(?:query|mutation)\s+(\w+)/.exec(query ?? "")?.[1];
      const answer = ANSWERS[name];
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify(answer ? { data: answer() } : { data: null, errors: [{ message: `no stand-in answer for ${name}` }] }));
    });
    return;
  }
  const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
  let file = join(DIST, path);
  if (!file.startsWith(DIST) || !existsSync(file) || path === "/") file = join(DIST, "index.html");
  res.writeHead(200, { "Content-Type": TYPES[extname(file)] ?? "application/octet-stream", "Content-Security-Policy": CSP });
  res.end(readFileSync(file));
});
const wss = new WebSocketServer({ server, path: "/graphql", handleProtocols: () => "graphql-transport-ws" });
wss.on("connection", (ws) => {
  ws.on("message", (raw) => {
    const m = JSON.parse(String(raw));
    if (m.type === "connection_init") ws.send(JSON.stringify({ type: "connection_ack" }));
    else if (m.type === "ping") ws.send(JSON.stringify({ type: "pong" }));
    else if (m.type === "subscribe" && /runUpdates/.test(m.payload?.query ?? "")) {
      const l = (u) => ws.readyState === 1 && ws.send(JSON.stringify({ id: m.id, type: "next", payload: { data: { runUpdates: u } } }));
      listeners.add(l);
      ws.on("close", () => listeners.delete(l));
    }
  });
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const BASE = `http://127.0.0.1:${server.address().port}`;

// ---- the browser ----
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
const errors = [];
page.on("pageerror", (e) => errors.push(String(e)));
page.on("console", (m) => m.type() === "error" && errors.push(m.text()));

// 1. first load of the initial route
const scripts = new Set();
page.on("response", (r) => {
  const u = new URL(r.url());
  if (u.origin === BASE && u.pathname.endsWith(".js")) scripts.add(u.pathname);
});
await page.goto(`${BASE}/e/${ENV}`);
await page.locator("h1", { hasText: ENV }).waitFor({ timeout: 60_000 });
await page.waitForLoadState("networkidle");
const firstLoad = [...scripts].map((p) => ({ file: p, gzip: gzipSync(readFileSync(join(DIST, p)), { level: 9 }).length }));
const firstLoadKiB = firstLoad.reduce((n, f) => n + f.gzip, 0) / 1024;
page.removeAllListeners("response");

// 2. the run page of a TASKS-task run: rendering, then following live updates
const CATEGORIES = ["toplevel", "devtools.timeline", "disabled-by-default-devtools.timeline", "disabled-by-default-devtools.timeline.frame"];
function longTasks(buffer) {
  const events = JSON.parse(buffer.toString()).traceEvents ?? buffer.traceEvents;
  const main = new Set(events.filter((e) => e.name === "thread_name" && e.args?.name === "CrRendererMain").map((e) => `${e.pid}:${e.tid}`));
  // one task appears as two nested events (RunTask and ThreadControllerImpl::RunTask, same start):
  // counted once (counts before 2026-12-07 counted both)
  const byStart = new Map();
  for (const e of events)
    if (e.ph === "X" && (e.name === "RunTask" || e.name === "ThreadControllerImpl::RunTask") && main.has(`${e.pid}:${e.tid}`)) {
      const k = `${e.pid}:${e.tid}:${e.ts}`;
      byStart.set(k, Math.max(byStart.get(k) ?? 0, e.dur ?? 0));
    }
  const tasks = [...byStart.values()].map((d) => d / 1000);
  const frames = events.filter((e) => e.name === "DrawFrame" || e.name === "Commit").length;
  return { longestMs: Math.round(Math.max(0, ...tasks)), over100: tasks.filter((d) => d > 100).length, over50: tasks.filter((d) => d > 50).length, tasks: tasks.length, frames };
}
// PROFILE_DIR=dir: also V8's CPU profiles of both phases (.cpuprofile, for DevTools; build with
// `npx vite build --minify false` to see the console's own function names)
const cdp = process.env.PROFILE_DIR ? await page.context().newCDPSession(page) : null;
async function profile(phase) {
  if (!cdp) return;
  if (phase === "start") {
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 500 });
    await cdp.send("Profiler.start");
  } else {
    const { profile: p } = await cdp.send("Profiler.stop");
    writeFileSync(join(process.env.PROFILE_DIR, `console-${phase}.cpuprofile`), JSON.stringify(p));
  }
}
await profile("start");
await browser.startTracing(page, { categories: CATEGORIES });
const t0 = Date.now();
await page.goto(`${BASE}/e/${ENV}/runs/${RUN}`);
await page.locator("tr[data-task]").nth(Math.min(TASKS, TABLE_ROWS) - 1).waitFor({ timeout: 120_000 });
await page.locator(".react-flow__node").first().waitFor({ state: "attached", timeout: 120_000 }).catch(async (e) => {
  await page.screenshot({ path: "console-bench-failed.png", fullPage: true });
  throw e;
});
const renderMs = Date.now() - t0;
const renderTrace = await browser.stopTracing();
const render = longTasks(renderTrace);
await profile("render");
if (process.env.TRACE_DIR) writeFileSync(join(process.env.TRACE_DIR, "console-render-trace.json"), renderTrace);

await profile("start");
await browser.startTracing(page, { categories: CATEGORIES });
const perTick = Math.max(1, Math.round(TASKS / 100));
const readsBefore = runReads;
const sentBefore = updatesSent;
const started = Date.now();
const ticker = setInterval(() => tick(perTick), 200);
// scroll the timeline as a person would, while updates come in
await page.locator(".timeline-scroll").hover();
while (Date.now() - started < LIVE_MS) await page.mouse.wheel(0, 400).then(() => page.waitForTimeout(250));
clearInterval(ticker);
const liveTrace = await browser.stopTracing();
const live = longTasks(liveTrace);
await profile("live");
if (process.env.TRACE_DIR) writeFileSync(join(process.env.TRACE_DIR, "console-live-trace.json"), liveTrace);
const liveSeconds = (Date.now() - started) / 1000;
const updates = updatesSent - sentBefore;
const reads = runReads - readsBefore;
// correctness: once the last updates have been applied (within 5 s), the task table says what the
// run says: no row left stale
const truth = Object.fromEntries(task.map((t) => [t.key, t.state]));
const shown = async () => page.$$eval("tr[data-task]", (rows) => rows.map((r) => [r.getAttribute("data-task"), r.getAttribute("data-state")]));
let stale = -1;
for (let i = 0; i < 20 && stale !== 0; i++) {
  await page.waitForTimeout(250);
  stale = (await shown()).filter(([k, s]) => truth[k] !== s).length;
}
const succeeded = await page.locator("tr[data-task][data-state=SUCCEEDED]").count();

await browser.close();
server.close();
const figures = {
  benchmark: "console",
  date: new Date().toISOString().slice(0, 10),
  first_load_js_gzip_kib: Math.round(firstLoadKiB * 10) / 10,
  first_load_js_files: firstLoad.length,
  run_tasks: TASKS,
  run_render_ms: renderMs,
  run_render_longest_task_ms: render.longestMs,
  run_render_tasks_over_100ms: render.over100,
  run_live_seconds: LIVE_MS / 1000,
  run_live_updates_per_s: Math.round(updates / liveSeconds),
  run_live_reads_of_the_run: reads,
  run_live_rows_stale_at_end: stale,
  run_live_longest_task_ms: live.longestMs,
  run_live_tasks_over_100ms: live.over100,
  run_live_tasks_over_50ms: live.over50,
  run_live_rows_succeeded_seen: succeeded,
  page_errors: errors.length,
  load_average_1m: Math.round(loadavg()[0] * 100) / 100,
};
console.error(firstLoad.map((f) => `  ${f.file}: ${(f.gzip / 1024).toFixed(1)} KiB gzipped`).join("\n"));
if (errors.length) console.error(errors.join("\n"));
console.log(JSON.stringify(figures));
