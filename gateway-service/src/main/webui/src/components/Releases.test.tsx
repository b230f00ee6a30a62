import { describe, expect, it, afterEach, vi } from "vitest";
import { render, screen, cleanup, fireEvent, waitFor } from "@testing-library/react";
import { CombinedError, Provider, type Client } from "urql";
import { GraphQLError } from "graphql";
import { concat, fromValue, never } from "wonka";
import { MemoryRouter } from "react-router";
import { MeContext } from "../Layout";
import { Releases, parseGroupMap, changesOf } from "./Releases";

afterEach(cleanup);

const releaser = { name: "rel", subject: "r", admin: false, bindings: ["dev", "prod"].map((environment) => ({ environment, scopeKind: "ENVIRONMENT", permissions: ["READ", "RELEASE"], pending: false })) };
const reader = { name: "rita", subject: "r", admin: false, bindings: [{ environment: "dev", scopeKind: "ENVIRONMENT", permissions: ["READ"], pending: false }] };

const DATA: Record<string, unknown> = {
  Releases: {
    releases: [
      { id: "r1aaaaaaaaaa", digest: "d1", bundleDigest: "b1", createdAt: "2026-12-06T10:00:00Z", createdBy: "alice" },
      { id: "r2bbbbbbbbbb", digest: "d2", bundleDigest: "b2", createdAt: "2026-12-07T10:00:00Z", createdBy: "alice" },
    ],
    deployments: [{ id: "dep1", kind: "ROLLBACK", releaseId: "r2bbbbbbbbbb", fromReleaseId: "r9zzzzzzzz", fromEnvironment: null, deployedAt: "2026-12-07T11:00:00Z", deployedBy: "alice", workerGroupMap: null }],
  },
  ReleaseDiff: {
    releaseDiff: { from: "r1", to: "r2", bundleChanged: true, changes: [
      { path: "tasks.load.script", kind: "changed", from: "echo <script>alert(1)</script>", to: "echo load" },
      { path: "tasks.report", kind: "added", from: null, to: { key: "report" } },
    ] },
  },
};

function client(mutation: () => unknown = () => ({ data: {} })) {
  const executeQuery = vi.fn((op: { query: { definitions: { name?: { value: string } }[] } }) =>
    concat([fromValue({ data: DATA[op.query.definitions[0].name?.value ?? ""] ?? null, stale: false, hasNext: false }), never]),
  );
  const executeMutation = vi.fn(() => fromValue({ ...(mutation() as object), stale: false, hasNext: false }));
  return { executeQuery, executeMutation, executeSubscription: () => never } as unknown as Client & { executeMutation: typeof executeMutation };
}

function show(c: Client, me: unknown) {
  return render(
    <Provider value={c}>
      <MeContext.Provider value={{ me: me as never, environments: ["dev", "prod"] }}>
        <MemoryRouter>
          <Releases env="dev" name="etl" current="r2bbbbbbbbbb" onChanged={() => {}} />
        </MemoryRouter>
      </MeContext.Provider>
    </Provider>,
  );
}

describe("Releases", () => {
  it("lists releases newest first with the current one, and the diff of an earlier one as text", async () => {
    const { container } = show(client(), reader);
    const rows = [...container.querySelectorAll("tr[data-release]")].map((r) => r.getAttribute("data-release"));
    expect(rows).toEqual(["r2bbbbbbbbbb", "r1aaaaaaaaaa"]);
    expect(container.querySelector("tr[data-release=r2bbbbbbbbbb]")!.textContent).toContain("current");
    fireEvent.click(screen.getByRole("button", { name: "Diff with current" }));
    const diff = await screen.findByRole("table", { name: "Release diff" });
    expect(diff.textContent).toContain("tasks.load.script");
    expect(diff.querySelector("script")).toBeNull();
    expect(screen.getByText("echo <script>alert(1)</script>")).toBeTruthy();
    expect(screen.getByRole("table", { name: "Deployments" }).textContent).toContain("ROLLBACK");
    // a reader is offered neither rollback nor promotion
    expect(screen.queryByRole("button", { name: "Roll back to this" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Promote…" })).toBeNull();
  });

  it("promotes with a worker group map, refusing a malformed one without asking the API", async () => {
    const c = client(() => ({ data: { promoteRelease: { id: "p1", environment: "prod" } } }));
    show(c, releaser);
    fireEvent.click(screen.getAllByRole("button", { name: "Promote…" })[0]);
    const map = screen.getByLabelText(/Worker groups/);
    fireEvent.change(map, { target: { value: "etl" } });
    fireEvent.click(screen.getByRole("button", { name: "Promote" }));
    expect(screen.getByText("worker group map: “etl” is not source=target")).toBeTruthy();
    expect(c.executeMutation).not.toHaveBeenCalled();
    fireEvent.change(map, { target: { value: "etl=etl-prod" } });
    fireEvent.click(screen.getByRole("button", { name: "Promote" }));
    await waitFor(() => expect(screen.getByRole("status").textContent).toBe("Promoted r2bbbbbb to prod."));
    const vars = (c.executeMutation.mock.calls[0] as unknown as [{ variables: Record<string, unknown> }])[0].variables;
    expect(vars).toEqual({ releaseId: "r2bbbbbbbbbb", target: "prod", map: [{ from: "etl", to: "etl-prod" }] });
  });

  it("shows a refused promotion's message and code", async () => {
    const error = new CombinedError({ graphQLErrors: [new GraphQLError("secret DB missing in prod", { extensions: { code: "INVALID" } })] });
    show(client(() => ({ error })), releaser);
    fireEvent.click(screen.getAllByRole("button", { name: "Promote…" })[0]);
    fireEvent.click(screen.getByRole("button", { name: "Promote" }));
    await waitFor(() => expect(screen.getByRole("alert").textContent).toBe("INVALID secret DB missing in prod"));
  });

  it("rolls back to an earlier release after a confirmation", async () => {
    vi.spyOn(window, "confirm").mockReturnValue(true);
    const c = client(() => ({ data: { rollbackPipeline: { name: "etl", latestReleaseId: "r1aaaaaaaaaa" } } }));
    show(c, releaser);
    fireEvent.click(screen.getByRole("button", { name: "Roll back to this" }));
    await waitFor(() => expect(screen.getByRole("status").textContent).toBe("Rolled back to r1aaaaaa."));
  });
});

describe("release helpers", () => {
  it("parse a worker group map and the changes of a diff", () => {
    expect(parseGroupMap(" a = b , c=d ")).toEqual({ map: [{ from: "a", to: "b" }, { from: "c", to: "d" }] });
    expect(parseGroupMap("a=b=c").error).toContain("a=b=c");
    expect(parseGroupMap("").map).toEqual([]);
    expect(changesOf({ changes: [{ path: "x", kind: "added" }, null, { nope: 1 }] })).toEqual([{ path: "x", kind: "added" }]);
    expect(changesOf("garbage")).toEqual([]);
  });
});
