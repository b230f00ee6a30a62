import { describe, expect, it } from "vitest";
import { barsOf, extent, visibleRows } from "./timeline";

const T0 = Date.parse("2026-12-07T10:00:00Z");
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

describe("timeline", () => {
  const rows = [
    { taskKey: "extract", attempts: [{ attempt: 1, state: "FAILED", start: at(0), end: at(10) }, { attempt: 2, state: "SUCCEEDED", start: at(20), end: at(40) }] },
    { taskKey: "load", attempts: [{ attempt: 1, state: "RUNNING", start: at(40), end: null }] },
    { taskKey: "report", attempts: [{ attempt: 1, state: "QUEUED", start: null, end: null }] },
  ];
  it("spans the first start to the last end, or now while something runs", () => {
    expect(extent(rows, T0 + 100_000)).toEqual({ from: T0, to: T0 + 100_000 });
    expect(extent([{ taskKey: "x", attempts: [{ attempt: 1, start: null }] }], T0)).toBeNull();
  });
  it("lays out every attempt by time, a running one up to now, none for one not started", () => {
    const range = { from: T0, to: T0 + 100_000 };
    const [a1, a2] = barsOf(rows[0], range, T0 + 100_000);
    expect([a1.left, a1.width, a1.state]).toEqual([0, 10, "FAILED"]);
    expect([a2.left, a2.width, a2.attempt]).toEqual([20, 20, 2]);
    expect(a1.title).toBe("extract attempt 1: FAILED, 10 s");
    const [running] = barsOf(rows[1], range, T0 + 100_000);
    expect([running.left, running.width, running.open]).toEqual([40, 60, true]);
    expect(barsOf(rows[2], range, T0)).toEqual([]);
  });
  it("keeps a bar of an attempt with a garbled time out of the drawing", () => {
    expect(barsOf({ taskKey: "x", attempts: [{ attempt: 1, start: "not a time" }] }, { from: T0, to: T0 + 1 }, T0)).toEqual([]);
  });
  it("renders only the rows in view of a long run", () => {
    expect(visibleRows(1000, 22, 0, 320)).toEqual({ first: 0, last: 23 });
    expect(visibleRows(1000, 22, 22 * 990, 320)).toEqual({ first: 982, last: 1000 });
  });
});
