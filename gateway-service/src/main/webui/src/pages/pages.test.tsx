import { describe, expect, it, afterEach, vi } from "vitest";
import { render, screen, cleanup, fireEvent, waitFor } from "@testing-library/react";
import { Provider, type Client } from "urql";
import { fromValue, never } from "wonka";
import { MemoryRouter, Route, Routes } from "react-router";
import { MeContext } from "../Layout";
import { Secrets } from "./Secrets";
import { Schedules } from "./Schedules";
import { Pipelines } from "./Pipelines";
import { ApiKeys } from "./ApiKeys";
import { RoleBindings } from "./RoleBindings";
import { AuditLog } from "./AuditLog";

afterEach(cleanup);

type Me = { name: string; subject: string; admin: boolean; bindings: { environment: string; scopeKind: "ENVIRONMENT"; permissions: string[]; pending: boolean }[] };
const reader: Me = { name: "rita", subject: "r", admin: false, bindings: [{ environment: "dev", scopeKind: "ENVIRONMENT", permissions: ["READ"], pending: false }] };
const operator: Me = { name: "otto", subject: "o", admin: false, bindings: [{ environment: "dev", scopeKind: "ENVIRONMENT", permissions: ["READ", "WRITE", "EXECUTE", "SECRETS"], pending: false }] };

/** A client that answers every query with `data` and every mutation with `mutation`. */
function fakeClient(data: unknown, mutation: unknown = {}) {
  const executeQuery = vi.fn(() => fromValue({ data, stale: false, hasNext: false }));
  const executeMutation = vi.fn(() => fromValue({ data: mutation, stale: false, hasNext: false }));
  return { executeQuery, executeMutation, executeSubscription: () => never } as unknown as Client & { executeQuery: typeof executeQuery; executeMutation: typeof executeMutation };
}

function show(el: React.ReactNode, { me, client, path, route }: { me: Me; client: Client; path: string; route: string }) {
  return render(
    <Provider value={client}>
      <MeContext.Provider value={{ me: me as never, environments: ["dev"] }}>
        <MemoryRouter initialEntries={[path]}>
          <Routes><Route path={route} element={el} /></Routes>
        </MemoryRouter>
      </MeContext.Provider>
    </Provider>,
  );
}

const SECRETS = { secrets: [{ name: "DB_PASSWORD", version: 3, grants: { pipelines: ["etl"], workerGroups: [] }, updatedAt: "2026-12-07T06:00:00Z", updatedBy: "alice", lastReadAt: null }] };

describe("Secrets", () => {
  it("shows names, versions and grants, and to a reader no way to set a value", () => {
    show(<Secrets />, { me: reader, client: fakeClient(SECRETS), path: "/e/dev/secrets", route: "/e/:env/secrets" });
    expect(screen.getByText("DB_PASSWORD")).toBeTruthy();
    expect(screen.getByText("etl")).toBeTruthy();
    expect(screen.queryByRole("form", { name: "Set a secret" })).toBeNull();
    expect(screen.queryByRole("link", { name: "DB_PASSWORD" })).toBeNull();
  });
  it("lets one holding `secrets` set a value through a password field that is emptied after", async () => {
    const client = fakeClient(SECRETS, { setSecret: { name: "NEW", version: 1 } });
    show(<Secrets />, { me: operator, client, path: "/e/dev/secrets", route: "/e/:env/secrets" });
    const value = screen.getByLabelText("New value") as HTMLInputElement;
    expect(value.type).toBe("password");
    fireEvent.change(screen.getByLabelText("Name"), { target: { value: "NEW" } });
    fireEvent.change(value, { target: { value: "hunter2" } });
    fireEvent.submit(screen.getByRole("form", { name: "Set a secret" }));
    await waitFor(() => expect(screen.getByRole("status").textContent).toContain("Set NEW: version 1."));
    expect(value.value).toBe("");
    expect(client.executeMutation).toHaveBeenCalledOnce();
  });
});

const SCHEDULES = {
  schedules: [{ id: "s1", name: "nightly", pipeline: "etl", cron: "0 2 * * *", rrule: null, timezone: "Europe/Paris", misfirePolicy: "LAST", state: "ENABLED", stateReason: null, nextFireAt: "2026-12-08T01:00:00Z" }],
  triggers: [{ id: "t1", name: "after-load", kind: "COMPLETION", pipeline: "etl", state: "PAUSED", upstreamPipeline: "load", onState: "SUCCEEDED", topic: null, hookPath: null }],
  pipelines: [{ name: "etl", latestReleaseId: "r1" }],
};

describe("Schedules", () => {
  it("lists schedules with their next fire and triggers, and offers a reader no new schedule", () => {
    show(<Schedules />, { me: reader, client: fakeClient(SCHEDULES), path: "/e/dev/schedules", route: "/e/:env/schedules" });
    expect(screen.getByRole("link", { name: "nightly" }).getAttribute("href")).toBe("/e/dev/schedules/s1");
    expect(screen.getByText("2026-12-08T01:00:00Z")).toBeTruthy();
    expect(screen.getByText("load SUCCEEDED")).toBeTruthy();
    expect(screen.queryByText("New schedule")).toBeNull();
  });
  it("offers one who may execute a new schedule, made paused by default", () => {
    show(<Schedules />, { me: operator, client: fakeClient(SCHEDULES), path: "/e/dev/schedules", route: "/e/:env/schedules" });
    expect(screen.getByText("New schedule")).toBeTruthy();
    expect((screen.getByLabelText(/create it paused/) as HTMLInputElement).checked).toBe(true);
  });
});

describe("Pipelines", () => {
  it("shows each pipeline's last run state, recent durations and next fire", () => {
    const data = {
      pipelines: [{ name: "etl", latestReleaseId: "r1", updatedAt: "2026-12-01T00:00:00Z", updatedBy: "alice" }],
      runs: { items: [
        { pipeline: "etl", state: "FAILED", createdAt: "2026-12-07T07:00:00Z", startedAt: "2026-12-07T07:00:00Z", finishedAt: "2026-12-07T07:00:12Z" },
        { pipeline: "etl", state: "SUCCEEDED", createdAt: "2026-12-07T06:00:00Z", startedAt: "2026-12-07T06:00:00Z", finishedAt: "2026-12-07T06:03:05Z" },
      ] },
      schedules: [{ pipeline: "etl", nextFireAt: "2026-12-08T01:00:00Z", state: "ENABLED" }],
    };
    const { container } = show(<Pipelines />, { me: reader, client: fakeClient(data), path: "/e/dev/pipelines", route: "/e/:env/pipelines" });
    const row = container.querySelector("tr[data-pipeline=etl]")!;
    expect(row.textContent).toContain("FAILED");
    expect(row.textContent).toContain("12 s · 3 min 5 s");
    expect(row.textContent).toContain("2026-12-08T01:00:00Z");
    expect(screen.queryByRole("button", { name: "Create" })).toBeNull();
  });
});

describe("API keys", () => {
  it("shows a new key once, with a copy button, and offers only permissions one holds", async () => {
    const client = fakeClient({ apiKeys: [] }, { createApiKey: { key: "dpk_secret_once", apiKey: { id: "k1", name: "ci" } } });
    show(<ApiKeys />, { me: reader, client, path: "/account/api-keys", route: "/account/api-keys" });
    expect(screen.getByLabelText("READ")).toBeTruthy();
    expect(screen.queryByLabelText("EXECUTE")).toBeNull();
    fireEvent.change(screen.getByLabelText("Name"), { target: { value: "ci" } });
    fireEvent.click(screen.getByLabelText("READ"));
    fireEvent.click(screen.getByRole("button", { name: "Create key" }));
    await waitFor(() => expect(screen.getByTestId("new-key").textContent).toBe("dpk_secret_once"));
    expect(screen.getByRole("button", { name: "Copy" })).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Done" }));
    expect(screen.queryByText("dpk_secret_once")).toBeNull();
  });
});

describe("admin pages", () => {
  it("show a non-admin nothing and ask the API nothing", () => {
    const client = fakeClient({});
    show(<RoleBindings />, { me: operator, client, path: "/admin/role-bindings", route: "/admin/role-bindings" });
    expect(screen.getByText("Role bindings are for admins.")).toBeTruthy();
    cleanup();
    show(<AuditLog />, { me: operator, client, path: "/admin/audit", route: "/admin/audit" });
    expect(screen.getByText("The audit log is for admins.")).toBeTruthy();
    expect(client.executeQuery).not.toHaveBeenCalled();
  });
  it("show an admin the audit log filtered by the URL", () => {
    const client = fakeClient({ auditLog: [{ id: 7, at: "2026-12-07T07:00:00Z", actor: "alice", action: "setSecret", outcome: "OK", environment: "dev", target: "secret X", summary: "" }] });
    show(<AuditLog />, { me: { ...operator, admin: true }, client, path: "/admin/audit?actor=alice", route: "/admin/audit" });
    expect(screen.getByText("setSecret")).toBeTruthy();
    expect((screen.getByLabelText("actor") as HTMLInputElement).value).toBe("alice");
    const vars = (client.executeQuery.mock.calls[0] as unknown as [{ variables: Record<string, unknown> }])[0].variables;
    expect(vars.actor).toBe("alice");
  });
});
