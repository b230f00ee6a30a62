import { describe, expect, it } from "vitest";
import { tasksOf, paramsOf, coerceParams } from "./dag";
import { layout } from "./components/DagView";

describe("the draft's DAG and params", () => {
  const def = `params:
  day: {type: string, required: true}
  limit: {type: integer, default: 10}
tasks:
  - {key: a, runtime: bash, script: x}
  - {key: b, runtime: bash, script: x, dependsOn: [a]}
`;
  it("reads tasks and dependencies, and nothing from broken text", () => {
    expect(tasksOf(def)).toEqual([
      { key: "a", dependsOn: [] },
      { key: "b", dependsOn: ["a"] },
    ]);
    expect(tasksOf("tasks: [")).toEqual([]);
  });
  it("lays a dependency out left of its dependant", () => {
    const l = layout(tasksOf(def));
    const x = Object.fromEntries(l.nodes.map((n) => [n.id, n.x]));
    expect(x.a).toBeLessThan(x.b);
    expect(l.edges).toEqual([["a", "b"]]);
  });
  it("types the start-run form's values as declared", () => {
    const specs = paramsOf(def);
    expect(specs.map((s) => s.name)).toEqual(["day", "limit"]);
    expect(coerceParams(specs, { day: "2026-01-01", limit: "5" })).toEqual({
      params: { day: "2026-01-01", limit: 5 },
      errors: {},
    });
    expect(coerceParams(specs, { day: "", limit: "x" }).errors).toEqual({ day: "required", limit: "a whole number" });
  });
});
