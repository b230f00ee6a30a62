import { useState } from "react";
import { useParams } from "react-router";
import { useQuery, useSubscription } from "urql";
import { graphql } from "../gql";
import { ErrorBox, Loading, Empty } from "../components/Status";

const WorkersDoc = graphql(`
  query Workers($env: String!) {
    workers(environment: $env) {
      workerId
      groups
      state
      slots
      freeSlots
      cpuLoad
      memoryUsedBytes
      memoryTotalBytes
      version
    }
  }
`);
const StatsDoc = graphql(`
  subscription WorkerStats($env: String!) {
    workerStats(environment: $env) {
      workerId
      groups
      slots
      freeSlots
      running
      cpuLoad
      memoryUsedBytes
      memoryTotalBytes
      draining
    }
  }
`);

interface Row {
  workerId: string;
  groups: string[];
  slots: number;
  freeSlots: number;
  running?: number;
  cpuLoad: number;
  memoryUsedBytes: number;
  memoryTotalBytes: number;
  state?: string;
}

const mib = (b: number) => `${Math.round(b / 1048576)} MiB`;

/** Workers: the list, then each heartbeat (workerStats) as it comes. */
export function Workers() {
  const { env = "" } = useParams();
  const [{ data, fetching, error }] = useQuery({ query: WorkersDoc, variables: { env } });
  const [live, setLive] = useState<Record<string, Row>>({});
  useSubscription({ query: StatsDoc, variables: { env } }, (_p, next) => {
    const s = next.workerStats;
    if (s?.workerId) {
      setLive((m) => ({
        ...m,
        [s.workerId!]: {
          workerId: s.workerId!,
          groups: (s.groups ?? []).filter((g): g is string => !!g),
          slots: s.slots,
          freeSlots: s.freeSlots,
          running: s.running,
          cpuLoad: s.cpuLoad,
          memoryUsedBytes: Number(s.memoryUsedBytes),
          memoryTotalBytes: Number(s.memoryTotalBytes),
          state: s.draining ? "DRAINING" : "ONLINE",
        },
      }));
    }
    return next;
  });
  if (error && !data) return <ErrorBox error={error} />;
  if (fetching && !data) return <Loading what="workers" />;
  const rows: Record<string, Row> = {};
  for (const w of data?.workers ?? []) {
    if (w?.workerId)
      rows[w.workerId] = {
        workerId: w.workerId,
        groups: (w.groups ?? []).filter((g): g is string => !!g),
        slots: w.slots ?? 0,
        freeSlots: w.freeSlots ?? 0,
        cpuLoad: w.cpuLoad ?? 0,
        memoryUsedBytes: Number(w.memoryUsedBytes ?? 0),
        memoryTotalBytes: Number(w.memoryTotalBytes ?? 0),
        state: w.state ?? undefined,
      };
  }
  Object.assign(rows, live);
  const list = Object.values(rows).sort((a, b) => a.workerId.localeCompare(b.workerId));
  return (
    <>
      <h1>Workers</h1>
      {list.length === 0 ? (
        <Empty>No worker serves {env} right now.</Empty>
      ) : (
        <table>
          <thead>
            <tr><th>Worker</th><th>Groups</th><th>State</th><th>Slots used</th><th>Running</th><th>CPU</th><th>Memory</th></tr>
          </thead>
          <tbody>
            {list.map((w) => (
              <tr key={w.workerId}>
                <td>{w.workerId}</td>
                <td>{w.groups.join(", ")}</td>
                <td>{w.state}</td>
                <td>{w.slots - w.freeSlots} / {w.slots}</td>
                <td>{w.running ?? "—"}</td>
                <td>{Math.round(w.cpuLoad * 100)}%</td>
                <td>{mib(w.memoryUsedBytes)} / {mib(w.memoryTotalBytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
