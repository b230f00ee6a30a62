import { describe, expect, it } from "vitest";
import { parsePath, rangeOf, lineOf } from "./yamlPaths";

const DEF = `tasks:
  - key: a
    runtime: bash
    script: echo a
    dependsOn: [b]
  - key: b
    runtime: bash
    script: echo b
    dependsOn: [a]
`;

describe("a validation error's path", () => {
  it("parses indexes and keys", () => {
    expect(parsePath("tasks[1].dependsOn[0]")).toEqual(["tasks", 1, "dependsOn", 0]);
    expect(parsePath("params.day")).toEqual(["params", "day"]);
    expect(parsePath("$")).toEqual([]);
  });

  it("marks the line the path points at", () => {
    const r = rangeOf(DEF, "tasks[1].dependsOn");
    expect(lineOf(DEF, r.from)).toBe(9);
    expect(lineOf(DEF, rangeOf(DEF, "tasks[0].dependsOn[0]").from)).toBe(5);
  });

  it("marks the nearest existing parent of a missing key, and the first line of broken YAML", () => {
    expect(lineOf(DEF, rangeOf(DEF, "tasks[1].timeout").from)).toBe(6);
    expect(rangeOf("a: [", "$").from).toBe(0);
  });
});
