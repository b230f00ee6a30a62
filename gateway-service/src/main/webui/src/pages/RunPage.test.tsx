import { describe, expect, it, afterEach, vi } from "vitest";
import { render, screen, cleanup, fireEvent, waitFor } from "@testing-library/react";
import { CombinedError, Provider, type Client } from "urql";
import { GraphQLError } from "graphql";
import { concat, fromValue, makeSubject, never } from "wonka";
import { MemoryRouter, Route, Routes } from "react-router";
import { MeContext } from "../Layout";
import RunPage from "./RunPage";

// React Flow needs a real layout engine; the DAG has tests of its own
vi.mock("../components/DagView", () => ({ DagView: () => <div data-testid="dag" /> }));

afterEach(cleanup);

const me = { name: "otto", subject: "o", admin: false, bindings: [{ environment: "dev", scopeKind: "ENVIRONMENT", permissions: ["READ", "EXECUTE"], pending: false }] };
const T0 = Date.parse("2026-12-07T10:00:00Z");
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

function taskRun(key: string, over: Record<string, unknown> = {}) {
  return {
    id: `tr-${key}`, taskKey: key, state: "SUCCEEDED", attempt: 1, error: null, outputs: null, startedAt: at(0), finishedAt: at(5), waitingReason: null,
    attempts: [{ attempt: 1, state: "SUCCEEDED", outcome: "SUCCEEDED", dispatchedAt: at(0), claimedAt: at(0), startedAt: at(0), finishedAt: at(5), workerId: "w1", exitCode: 0, error: null }],
    ...over,
  };
}
function runOf(taskRuns: unknown[], over: Record<string, unknown> = {}) {
  return {
    run: {
      id: "run-1", pipeline: "etl", environment: "dev", state: "RUNNING", error: null, params: {}, releaseId: null, createdAt: at(0), startedAt: at(0), finishedAt: null,
      slaDueAt: null, slaMissedAt: null, waitingReason: null, taskRuns, ...over,
    },
  };
}

/** answers each query by its operation name */
function client(answers: Record<string, unknown>) {
  const executeQuery = vi.fn((op: { query: { definitions: { name?: { value: string } }[] } }) =>
    fromValue({ data: answers[op.query.definitions[0].name?.value ?? ""] ?? null, stale: false, hasNext: false }),
  );
  return { executeQuery, executeMutation: vi.fn(() => never), executeSubscription: () => never } as unknown as Client & { executeQuery: typeof executeQuery };
}

function show(c: Client, path = "/e/dev/runs/run-1") {
  return render(
    <Provider value={c}>
      <MeContext.Provider value={{ me: me as never, environments: ["dev"] }}>
        <MemoryRouter initialEntries={[path]}>
          <Routes><Route path="/e/:env/runs/:id" element={<RunPage />} /></Routes>
        </MemoryRouter>
      </MeContext.Provider>
    </Provider>,
  );
}

describe("RunPage", () => {
  it("says why the run and each waiting task wait, and that the run missed its SLA", () => {
    const waiting = taskRun("load", {
      state: "QUEUED", startedAt: null, finishedAt: null, attempts: [],
      waitingReason: { kind: "NO_WORKER", message: "no worker of group etl-workers is online", position: null, until: null },
    });
    const retrying = taskRun("report", {
      state: "QUEUED",
      waitingReason: { kind: "RETRY_BACKOFF", message: "attempt 2 starts after its backoff", position: null, until: at(60) },
    });
    const c = client({
      Run: runOf([taskRun("extract"), waiting, retrying], {
        waitingReason: { kind: "NO_WORKER", message: "no worker of group etl-workers is online", position: 1, until: null, tasks: ["load"], runs: [] },
        slaDueAt: at(30), slaMissedAt: at(31),
      }),
    });
    const { container } = show(c);
    const banner = screen.getByText("Waiting:").parentElement!;
    expect(banner.getAttribute("data-waiting")).toBe("NO_WORKER");
    expect(banner.textContent).toContain("no worker of group etl-workers is online (#1 in the queue)");
    expect(container.querySelector("tr[data-task=load] [data-waiting=NO_WORKER]")).toBeTruthy();
    expect(container.querySelector("tr[data-task=report]")!.textContent).toContain(`RETRY_BACKOFF attempt 2 starts after its backoff (until ${at(60)})`);
    expect(container.querySelector("tr[data-task=extract] [data-waiting]")).toBeNull();
    expect(screen.getByTestId("sla").textContent).toBe(`due at ${at(30)} SLA MISSED at ${at(31)}`);
  });

  it("draws every attempt of every task on the timeline", () => {
    const flaky = taskRun("flaky", {
      attempt: 2,
      attempts: [
        { attempt: 1, state: "FAILED", outcome: "FAILED", startedAt: at(0), finishedAt: at(3), workerId: "w1", exitCode: 1, error: "boom" },
        { attempt: 2, state: "SUCCEEDED", outcome: "SUCCEEDED", startedAt: at(4), finishedAt: at(9), workerId: "w2", exitCode: 0, error: null },
      ],
    });
    const { container } = show(client({ Run: runOf([taskRun("extract"), flaky]) }));
    const bars = container.querySelectorAll(".timeline-row[data-task=flaky] .timeline-bar");
    expect([...bars].map((b) => b.getAttribute("aria-label"))).toEqual(["flaky attempt 1: FAILED, 3 s on w1", "flaky attempt 2: SUCCEEDED, 5 s on w2"]);
    expect(bars[0].className).toContain("state-failed");
  });

  it("stays light for a run of 1,000 tasks: only the rows in view are drawn", () => {
    const many = Array.from({ length: 1000 }, (_, i) => taskRun(`t${String(i).padStart(4, "0")}`));
    const { container } = show(client({ Run: runOf(many) }));
    expect(container.querySelectorAll(".timeline-row").length).toBeLessThan(40);
    expect(container.querySelectorAll("tr[data-task]").length).toBe(100);
    fireEvent.click(screen.getByRole("button", { name: "Show all 1000 tasks" }));
    expect(container.querySelectorAll("tr[data-task]").length).toBe(1000);
    // happy-dom renders 1,000 rows slowly on a loaded machine: this is about what is drawn, not how fast
  }, 30_000);

  it("reads an earlier attempt's log, and shows what it printed as text", async () => {
    const flaky = taskRun("flaky", {
      attempt: 2,
      attempts: [
        { attempt: 1, state: "FAILED", outcome: "FAILED", startedAt: at(0), finishedAt: at(3), workerId: "w1", exitCode: 1, error: "boom" },
        { attempt: 2, state: "SUCCEEDED", outcome: "SUCCEEDED", startedAt: at(4), finishedAt: at(9), workerId: "w2", exitCode: 0, error: null },
      ],
    });
    const c = client({
      Run: runOf([flaky]),
      Logs: { logs: { lines: [{ seq: 1, attempt: 1, stream: "STDOUT", text: "<script>alert(1)</script>" }] } },
    });
    const { container } = show(c, "/e/dev/runs/run-1?task=flaky");
    const picker = screen.getByLabelText("Attempt") as HTMLSelectElement;
    expect([...picker.options].map((o) => o.textContent)).toEqual(["latest (2, live)", "1: FAILED"]);
    fireEvent.change(picker, { target: { value: "1" } });
    await waitFor(() => expect(screen.getByTestId("attempt-facts").textContent).toBe("Attempt 1: FAILED on w1, exit code 1 — boom"));
    const logCalls = c.executeQuery.mock.calls.map((x) => x[0] as unknown as { query: { definitions: { name?: { value: string } }[] }; variables: { attempt?: number } }).filter((op) => op.query.definitions[0].name?.value === "Logs");
    expect(logCalls.at(-1)!.variables.attempt).toBe(1);
    expect(container.querySelector("[data-testid=log] script")).toBeNull();
    expect(screen.getByText("<script>alert(1)</script>")).toBeTruthy();
  });

  it("shows an API error with its message and code", () => {
    const c = {
      // a real client's source stays open; one that ends would clear the error
      executeQuery: () => concat([fromValue({ data: { run: null }, error: new CombinedError({ graphQLErrors: [new GraphQLError("no run x", { extensions: { code: "NOT_FOUND" } })] }), stale: false, hasNext: false }), never]),
      executeMutation: () => never, executeSubscription: () => never,
    } as unknown as Client;
    show(c);
    expect(screen.getByRole("alert").textContent).toBe("NOT_FOUND no run x");
  });

  it("applies live updates to the tasks they are about, and reads the run again only after a gap", async () => {
    const updates = makeSubject<{ data: { runUpdates: Record<string, unknown> } }>();
    const rereads: number[] = [];
    const pending = (key: string) => taskRun(key, { state: "PENDING", attempt: 0, startedAt: null, finishedAt: null, attempts: [] });
    // what the orchestrator has: what a read answers
    let truth = () => [pending("a"), pending("b"), pending("c")];
    const c = {
      executeQuery: vi.fn((op: { query: { definitions: { name?: { value: string } }[] } }, ctx?: { requestPolicy?: string }) => {
        if (ctx?.requestPolicy === "network-only") rereads.push(Date.now());
        // each read answers new objects, as the network does
        const data = op.query.definitions[0].name?.value === "Run" ? runOf(truth()) : null;
        return fromValue({ data, stale: false, hasNext: false });
      }),
      executeMutation: () => never,
      executeSubscription: () => updates.source,
    } as unknown as Client;
    const { container } = show(c);
    const stateOf = (key: string) => container.querySelector(`tr[data-task=${key}]`)?.getAttribute("data-state");
    await waitFor(() => expect(stateOf("a")).toBe("PENDING"));
    const rowB = container.querySelector("tr[data-task=b]");
    const send = (u: Record<string, unknown>) => updates.next({ data: { runUpdates: { kind: "TASK_RUN", attempt: 1, error: null, ...u } } });
    send({ taskKey: "a", previous: "PENDING", state: "QUEUED" });
    send({ taskKey: "a", previous: "QUEUED", state: "RUNNING" });
    await waitFor(() => expect(stateOf("a")).toBe("RUNNING"));
    expect(stateOf("b")).toBe("PENDING");
    expect(container.querySelector("tr[data-task=b]")).toBe(rowB); // the other rows are not drawn again
    expect(container.querySelectorAll(".timeline-row[data-task=a] .timeline-bar.state-running")).toHaveLength(1);
    // an older update (a's QUEUED again) changes nothing and asks for no read
    send({ taskKey: "a", previous: "PENDING", state: "QUEUED" });
    await new Promise((r) => setTimeout(r, 400));
    expect(stateOf("a")).toBe("RUNNING");
    expect(rereads).toHaveLength(0);
    // a gap: c left RUNNING, which the page never saw: the update is applied, and the run is read
    // again (for what was missed)
    truth = () => [taskRun("a", { state: "RUNNING", finishedAt: null, attempts: [] }), pending("b"), taskRun("c")];
    send({ taskKey: "c", previous: "RUNNING", state: "SUCCEEDED" });
    await waitFor(() => expect(stateOf("c")).toBe("SUCCEEDED")); // applied at once
    await waitFor(() => expect(rereads).toHaveLength(1), { timeout: 3000 });
    // what the read brought: c's attempt, which no update had shown
    await waitFor(() => expect(container.querySelector(".timeline-row[data-task=c] .timeline-bar")?.getAttribute("aria-label")).toBe("c attempt 1: SUCCEEDED, 5 s on w1"));
    expect(stateOf("c")).toBe("SUCCEEDED");
    expect(stateOf("a")).toBe("RUNNING");
    await new Promise((r) => setTimeout(r, 1500));
    expect(rereads).toHaveLength(1); // once
  });
});
