import { describe, expect, it, afterEach, vi } from "vitest";
import { render, screen, cleanup, fireEvent, waitFor } from "@testing-library/react";
import { CombinedError, Provider, type Client } from "urql";
import { GraphQLError } from "graphql";
import { concat, fromValue, never } from "wonka";
import { MemoryRouter, Route, Routes } from "react-router";
import { MeContext } from "../Layout";
import SchedulePage from "./SchedulePage";
import { inputOf } from "../components/ScheduleForm";

afterEach(cleanup);

const operator = { name: "otto", subject: "o", admin: false, bindings: [{ environment: "dev", scopeKind: "ENVIRONMENT", permissions: ["READ", "EXECUTE"], pending: false }] };
const reader = { name: "rita", subject: "r", admin: false, bindings: [{ environment: "dev", scopeKind: "ENVIRONMENT", permissions: ["READ"], pending: false }] };

const SCHEDULE = {
  schedule: { id: "s1", name: "nightly", pipeline: "etl", description: null, cron: "0 2 * * *", rrule: null, timezone: "Europe/Paris", misfirePolicy: "LAST", params: { day: "x" }, releaseId: null, state: "PAUSED", stateReason: null, nextFireAt: null, createdAt: "", createdBy: "", updatedAt: "", updatedBy: "" },
  schedulePreview: { fireTimes: [{ at: "2026-12-08T01:00:00Z", local: "2026-12-08T02:00+01:00" }] },
  scheduleFires: [],
};

type Op = { kind: string; query: { definitions: { name?: { value: string } }[] }; variables: Record<string, unknown> };
const nameOf = (op: Op) => op.query.definitions[0].name?.value ?? "";

function client(previewOf: (input: Record<string, unknown>) => unknown, update: () => unknown = () => ({ data: { updateSchedule: { id: "s1" } } })) {
  const executeQuery = vi.fn((op: Op) => {
    return concat([fromValue({ operation: op, data: SCHEDULE, stale: false, hasNext: false }), never]);
  });
  const executeMutation = vi.fn((op: Op) => fromValue({ operation: op, ...(update() as object), stale: false, hasNext: false }));
  // the form asks for the draft's fires with client.query(...).toPromise()
  const query = vi.fn((_doc: unknown, vars: { input: Record<string, unknown> }) => ({ toPromise: () => Promise.resolve(previewOf(vars.input)) }));
  return { executeQuery, executeMutation, query, executeSubscription: () => never } as unknown as Client & { executeQuery: typeof executeQuery; executeMutation: typeof executeMutation };
}
const fires = (input: Record<string, unknown>) => ({ data: { scheduleDraftPreview: { fireTimes: [{ at: "x", local: `next of ${input.cron} in ${input.timezone}` }] } } });

function show(c: Client, me: unknown = operator) {
  return render(
    <Provider value={c}>
      <MeContext.Provider value={{ me: me as never, environments: ["dev"] }}>
        <MemoryRouter initialEntries={["/e/dev/schedules/s1"]}>
          <Routes><Route path="/e/:env/schedules/:id" element={<SchedulePage />} /></Routes>
        </MemoryRouter>
      </MeContext.Provider>
    </Provider>,
  );
}

describe("editing a schedule", () => {
  it("shows the next fires of the rule as typed, and saves only what was previewed, keeping name, state and params", async () => {
    const c = client(fires);
    show(c);
    fireEvent.click(screen.getByRole("button", { name: "Edit" }));
    expect((screen.getByLabelText("Rule") as HTMLInputElement).value).toBe("0 2 * * *");
    fireEvent.change(screen.getByLabelText("Rule"), { target: { value: "30 7 * * 1-5" } });
    fireEvent.change(screen.getByLabelText("Time zone (IANA)"), { target: { value: "Asia/Tokyo" } });
    expect((screen.getByRole("button", { name: "Save schedule" }) as HTMLButtonElement).disabled).toBe(true);
    const list = await screen.findByRole("list", { name: "Next fires of this rule" });
    expect(list.textContent).toBe("next of 30 7 * * 1-5 in Asia/Tokyo");
    fireEvent.click(screen.getByRole("button", { name: "Save schedule" }));
    await waitFor(() => expect(c.executeMutation).toHaveBeenCalledOnce());
    const vars = (c.executeMutation.mock.calls[0] as unknown as [Op])[0].variables;
    expect(vars.input).toEqual({ pipeline: "etl", name: "nightly", cron: "30 7 * * 1-5", timezone: "Asia/Tokyo", misfirePolicy: "LAST", params: { day: "x" }, paused: true });
    await waitFor(() => expect(screen.getByRole("status").textContent).toBe("Saved."));
  });

  it("shows a rule the scheduler refuses with its message and code, and does not let it be saved", async () => {
    const refused = () => ({ error: new CombinedError({ graphQLErrors: [new GraphQLError("cron: bad field 'every'", { extensions: { code: "INVALID_INPUT" } })] }) });
    show(client(refused));
    fireEvent.click(screen.getByRole("button", { name: "Edit" }));
    fireEvent.change(screen.getByLabelText("Rule"), { target: { value: "every day" } });
    await waitFor(() => expect(screen.getByRole("alert").textContent).toBe("INVALID_INPUT cron: bad field 'every'"));
    expect((screen.getByRole("button", { name: "Save schedule" }) as HTMLButtonElement).disabled).toBe(true);
  });

  it("offers a reader no edit", () => {
    show(client(fires), reader);
    expect(screen.queryByRole("button", { name: "Edit" })).toBeNull();
  });
});

describe("a schedule form's input", () => {
  const base = { pipeline: "etl", name: "", description: "", kind: "cron" as const, rule: "0 6 * * *", timezone: "", misfirePolicy: "ALL", params: "", paused: true };
  it("refuses params that are not a JSON object, and a blank rule", () => {
    expect(inputOf({ ...base, params: "{nope" }).error).toBe("params: not JSON");
    expect(inputOf({ ...base, params: "[1]" }).error).toBe("params: must be a JSON object");
    expect(inputOf({ ...base, rule: "  " }).error).toBe("rule: required");
    expect(inputOf({ ...base, kind: "rrule", rule: "FREQ=DAILY" }).input).toMatchObject({ rrule: "FREQ=DAILY", cron: undefined, timezone: "UTC" });
  });
});
