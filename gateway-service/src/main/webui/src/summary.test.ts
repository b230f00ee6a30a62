import { describe, expect, it } from "vitest";
import { summarize, formatDuration } from "./summary";

describe("the pipelines list's summary", () => {
  const runs = [
    { pipeline: "etl", state: "SUCCEEDED", createdAt: "2026-12-07T06:00:00Z", startedAt: "2026-12-07T06:00:01Z", finishedAt: "2026-12-07T06:00:31Z" },
    { pipeline: "etl", state: "FAILED", createdAt: "2026-12-07T07:00:00Z", startedAt: "2026-12-07T07:00:00Z", finishedAt: "2026-12-07T07:00:02Z" },
    { pipeline: "etl", state: "RUNNING", createdAt: "2026-12-07T08:00:00Z", startedAt: "2026-12-07T08:00:00Z" },
    { pipeline: "other", state: "QUEUED", createdAt: "2026-12-07T05:00:00Z" },
    null,
  ];
  it("takes the newest run's state whatever the order, and the finished runs' durations", () => {
    const s = summarize(runs, []);
    expect(s.etl.lastState).toBe("RUNNING");
    expect(s.etl.durations).toEqual([2000, 30000]);
    expect(s.other.lastState).toBe("QUEUED");
    expect(s.other.durations).toEqual([]);
  });
  it("keeps the earliest next fire of enabled schedules only", () => {
    const s = summarize([], [
      { pipeline: "etl", nextFireAt: "2026-12-08T00:00:00Z", state: "ENABLED" },
      { pipeline: "etl", nextFireAt: "2026-12-07T12:00:00Z", state: "ENABLED" },
      { pipeline: "etl", nextFireAt: "2026-12-07T09:00:00Z", state: "PAUSED" },
    ]);
    expect(s.etl.nextFireAt).toBe("2026-12-07T12:00:00Z");
    expect(s.etl.lastState).toBeUndefined();
  });
  it("keeps at most `keep` durations", () => {
    const many = Array.from({ length: 9 }, (_, i) => ({
      pipeline: "p", state: "SUCCEEDED", createdAt: `2026-12-07T0${i}:00:00Z`, startedAt: `2026-12-07T0${i}:00:00Z`, finishedAt: `2026-12-07T0${i}:00:0${i}Z`,
    }));
    expect(summarize(many, [], 3).p.durations).toEqual([8000, 7000, 6000]);
  });
  it("formats durations", () => {
    expect(formatDuration(850)).toBe("850 ms");
    expect(formatDuration(12_000)).toBe("12 s");
    expect(formatDuration(185_000)).toBe("3 min 5 s");
    expect(formatDuration(2 * 3600_000 + 4 * 60_000)).toBe("2 h 4 min");
  });
});
