import { describe, expect, it, afterEach, vi } from "vitest";
import { render, screen, cleanup, fireEvent, waitFor } from "@testing-library/react";
import { Provider, type Client } from "urql";
import { concat, fromValue, never } from "wonka";
import { MemoryRouter, Route, Routes } from "react-router";
import { MeContext } from "../Layout";
import { Schedules } from "./Schedules";
import TriggerPage from "./TriggerPage";
import { triggerInputOf, NEW_TRIGGER } from "../components/TriggerForm";

afterEach(cleanup);

const operator = { name: "otto", subject: "o", admin: false, bindings: [{ environment: "dev", scopeKind: "ENVIRONMENT", permissions: ["READ", "EXECUTE"], pending: false }] };
type Op = { query: { definitions: { name?: { value: string } }[] }; variables: Record<string, unknown> };

function client(data: unknown, mutation: unknown) {
  const executeQuery = vi.fn((op: Op) => concat([fromValue({ operation: op, data, stale: false, hasNext: false }), never]));
  const executeMutation = vi.fn((op: Op) => fromValue({ operation: op, data: mutation, stale: false, hasNext: false }));
  return { executeQuery, executeMutation, executeSubscription: () => never } as unknown as Client & { executeMutation: typeof executeMutation };
}
function show(el: React.ReactNode, c: Client, path: string, route: string) {
  return render(
    <Provider value={c}>
      <MeContext.Provider value={{ me: operator as never, environments: ["dev"] }}>
        <MemoryRouter initialEntries={[path]}>
          <Routes><Route path={route} element={el} /></Routes>
        </MemoryRouter>
      </MeContext.Provider>
    </Provider>,
  );
}

describe("event triggers", () => {
  it("creates a webhook trigger and shows its token once", async () => {
    const c = client(
      { schedules: [], triggers: [], pipelines: [{ name: "etl", latestReleaseId: "r1" }, { name: "load", latestReleaseId: null }] },
      { createTrigger: { id: "t9", name: "hook", kind: "WEBHOOK", hookPath: "/hooks/t9", token: "dph_once" } },
    );
    show(<Schedules />, c, "/e/dev/schedules", "/e/:env/schedules");
    fireEvent.change(screen.getByLabelText("Kind", { selector: "details:nth-of-type(2) select" }), { target: { value: "WEBHOOK" } });
    fireEvent.click(screen.getByRole("button", { name: "Create trigger" }));
    await waitFor(() => expect(screen.getByTestId("new-token").textContent).toBe("dph_once"));
    const vars = (c.executeMutation.mock.calls[0] as unknown as [Op])[0].variables;
    expect(vars.input).toEqual({ kind: "WEBHOOK", pipeline: "etl", paused: true, auth: "TOKEN" });
    fireEvent.click(screen.getByRole("button", { name: "Done" }));
    expect(screen.queryByText("dph_once")).toBeNull();
  });

  it("edits a trigger, keeping its name and state", async () => {
    const trigger = { id: "t1", name: "after-load", kind: "COMPLETION", pipeline: "etl", description: null, state: "PAUSED", stateReason: null, upstreamPipeline: "load", onState: "SUCCEEDED", topic: null, filterField: null, filterValue: null, hookPath: null, auth: null, secretName: null, params: null, releaseMode: "LATEST", releaseId: null, updatedAt: "", updatedBy: "" };
    const c = client({ trigger, triggerFires: [], pipelines: [{ name: "load" }, { name: "extract" }] }, { updateTrigger: { id: "t1", token: null } });
    show(<TriggerPage />, c, "/e/dev/triggers/t1", "/e/:env/triggers/:id");
    fireEvent.click(screen.getByRole("button", { name: "Edit" }));
    fireEvent.change(screen.getByLabelText("When it ends"), { target: { value: "ANY" } });
    fireEvent.change(screen.getByLabelText(/Params/), { target: { value: '{"day": "{{ upstream.params.day }}"}' } });
    fireEvent.click(screen.getByRole("button", { name: "Save trigger" }));
    await waitFor(() => expect(c.executeMutation).toHaveBeenCalledOnce());
    const vars = (c.executeMutation.mock.calls[0] as unknown as [Op])[0].variables;
    expect(vars.input).toEqual({ kind: "COMPLETION", pipeline: "etl", name: "after-load", paused: true, upstreamPipeline: "load", onState: "ANY", params: { day: "{{ upstream.params.day }}" } });
  });

  it("refuses what its kind cannot use before asking the API", () => {
    const f = { ...NEW_TRIGGER, pipeline: "etl" };
    expect(triggerInputOf(f).error).toBe("upstream pipeline: required");
    expect(triggerInputOf({ ...f, kind: "KAFKA" }).error).toBe("topic: required");
    expect(triggerInputOf({ ...f, kind: "KAFKA", topic: "orders", filterField: "type" }).error).toBe("filter: give both a field and a value, or neither");
    expect(triggerInputOf({ ...f, kind: "WEBHOOK", auth: "HMAC" }).error).toBe("secret: required for HMAC");
    expect(triggerInputOf({ ...f, upstreamPipeline: "load", params: '"x"' }).error).toBe("params: must be a JSON object");
  });
});
