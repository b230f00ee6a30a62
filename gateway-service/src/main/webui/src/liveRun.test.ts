import { describe, expect, it } from "vitest";
import { applyUpdates, judge, keepUnchanged, type RunUpdateLike, type TaskLike } from "./liveRun";

const T0 = Date.parse("2026-12-07T10:00:00Z");
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

function task(key: string, over: Partial<TaskLike> = {}): TaskLike & { id: string } {
  return { id: `tr-${key}`, taskKey: key, state: "PENDING", attempt: 0, error: null, startedAt: null, finishedAt: null, waitingReason: null, attempts: [], ...over };
}
const running = (key: string, attempt = 1) =>
  task(key, { state: "RUNNING", attempt, startedAt: at(0), attempts: [{ attempt, state: "RUNNING", outcome: null, dispatchedAt: at(0), claimedAt: at(0), startedAt: at(0), finishedAt: null }] });
function run(tasks: TaskLike[], state = "RUNNING") {
  return { id: "run-1", state, finishedAt: null, waitingReason: null, taskRuns: tasks };
}
const upd = (taskKey: string, previous: string, state: string, attempt = 1, error: string | null = null): RunUpdateLike => ({ kind: "TASK_RUN", taskKey, previous, state, attempt, error });

describe("a run followed live", () => {
  it("an update of a task changes only that task, and the others keep their objects", () => {
    const r = run([running("a"), running("b"), task("c")]);
    const out = applyUpdates(r, [upd("a", "RUNNING", "SUCCEEDED")], T0 + 5000);
    expect(out.reread).toBe(false);
    expect([...out.changed]).toEqual(["a"]);
    const [a, b, c] = out.run.taskRuns!;
    expect(a).toMatchObject({ state: "SUCCEEDED", finishedAt: at(5) });
    expect(a!.attempts![0]).toMatchObject({ attempt: 1, outcome: "SUCCEEDED", finishedAt: at(5) });
    expect(b).toBe(r.taskRuns[1]);
    expect(c).toBe(r.taskRuns[2]);
    expect(r.taskRuns[0].state).toBe("RUNNING"); // what was read is not changed in place
  });

  it("follows a task through its attempts: queued, running, a retry, the next attempt, its end", () => {
    let r = run([task("a")]);
    const steps = [upd("a", "PENDING", "QUEUED", 1), upd("a", "QUEUED", "RUNNING", 1), upd("a", "RUNNING", "QUEUED", 1, "exit code 1"), upd("a", "QUEUED", "RUNNING", 2), upd("a", "RUNNING", "SUCCEEDED", 2)];
    steps.forEach((u, i) => {
      const out = applyUpdates(r, [u], T0 + i * 1000);
      expect(out.reread, `step ${i}`).toBe(false);
      expect(out.changed.has("a"), `step ${i}`).toBe(true);
      r = out.run;
    });
    const a = r.taskRuns[0]!;
    expect(a).toMatchObject({ state: "SUCCEEDED", attempt: 2 });
    expect(a.attempts!.map((x) => [x!.attempt, x!.outcome, x!.startedAt, x!.finishedAt])).toEqual([
      [1, "FAILED", at(1), at(2)],
      [2, "SUCCEEDED", at(3), at(4)],
    ]);
  });

  it("an older update (from before the read, or a duplicate) does not overwrite a newer state", () => {
    const done = task("a", { state: "SUCCEEDED", attempt: 1, finishedAt: at(9), attempts: [{ attempt: 1, state: "SUCCEEDED", outcome: "SUCCEEDED", startedAt: at(1), finishedAt: at(9) }] });
    const r = run([done, running("b", 2)]);
    const out = applyUpdates(r, [upd("a", "QUEUED", "RUNNING"), upd("a", "PENDING", "QUEUED"), upd("b", "QUEUED", "RUNNING", 1), upd("b", "RUNNING", "QUEUED", 1), upd("b", "QUEUED", "RUNNING", 2)], T0);
    expect(out.run).toBe(r);
    expect(out.reread).toBe(false);
    expect(out.changed.size).toBe(0);
    // a retry waiting for its backoff is further on than the attempt that failed
    const waiting = task("c", { state: "QUEUED", attempt: 1, attempts: [{ attempt: 1, state: "FAILED", outcome: "FAILED", startedAt: at(1), finishedAt: at(2) }] });
    expect(judge(waiting, upd("c", "QUEUED", "RUNNING", 1))).toBe("older");
    expect(judge(waiting, upd("c", "QUEUED", "RUNNING", 2))).toBe("next");
  });

  it("a gap (the state an update left is not the one shown) is applied and asks for a read", () => {
    const r = run([task("a"), task("b")]);
    const out = applyUpdates(r, [upd("a", "RUNNING", "SUCCEEDED")], T0);
    expect(out.run.taskRuns![0]!.state).toBe("SUCCEEDED");
    expect(out.reread).toBe(true);
    expect(applyUpdates(r, [upd("nope", "PENDING", "QUEUED")], T0).reread).toBe(true);
    // a whole chain in one batch is no gap
    expect(applyUpdates(r, [upd("b", "PENDING", "QUEUED"), upd("b", "QUEUED", "RUNNING")], T0).reread).toBe(false);
  });

  it("the run's end asks for the final read; a lost worker's attempt ends LOST when the next is queued", () => {
    const r = run([running("a")]);
    const out = applyUpdates(r, [upd("a", "RUNNING", "QUEUED", 2), { kind: "RUN", state: "CANCELLED", previous: "RUNNING" }], T0 + 3000);
    expect(out.ended).toBe(true);
    expect(out.run.state).toBe("CANCELLED");
    expect(out.run.taskRuns![0]!.attempts!.map((x) => [x!.attempt, x!.outcome])).toEqual([[1, "LOST"], [2, null]]);
    expect(applyUpdates(out.run, [{ kind: "RUN", state: "RUNNING", previous: "QUEUED" }], T0).run.state).toBe("CANCELLED");
  });

  it("a fresh read keeps the objects of the tasks that did not change", () => {
    const before = run([running("a"), running("b")]);
    const read = run([JSON.parse(JSON.stringify(before.taskRuns[0])), { ...running("b"), state: "SUCCEEDED" }]);
    const kept = keepUnchanged(before, read);
    expect(kept.taskRuns[0]).toBe(before.taskRuns[0]);
    expect(kept.taskRuns[1]).toBe(read.taskRuns[1]);
  });
});
