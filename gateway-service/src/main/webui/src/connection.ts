/**
 * What the console knows of its connections: whether the gateway answers (HTTP) and whether the
 * live connection (GraphQL subscriptions over WebSocket) stands. The offline banner shows while
 * either is lost and goes when both are back.
 */
export interface ConnectionState {
  gateway: boolean;
  live: boolean;
}

let state: ConnectionState = { gateway: true, live: true };
const listeners = new Set<() => void>();
const connectListeners = new Set<() => void>();
let probe: ReturnType<typeof setInterval> | null = null;

/** How often the console asks whether a lost gateway is back (ms). */
export const PROBE_EVERY = 3000;

export const connection = {
  get: (): ConnectionState => state,
  subscribe(l: () => void): () => void {
    listeners.add(l);
    return () => listeners.delete(l);
  },
  set(next: Partial<ConnectionState>) {
    const merged = { ...state, ...next };
    if (merged.gateway === state.gateway && merged.live === state.live) return;
    state = merged;
    if (!state.gateway) startProbe();
    else stopProbe();
    listeners.forEach((l) => l());
  },
  /**
   * The live connection was (re)established: subscriptions start (again) from now, and what
   * happened while there was none is missed; a page that follows something live reads it again.
   */
  onConnected(l: () => void): () => void {
    connectListeners.add(l);
    return () => connectListeners.delete(l);
  },
  connected() {
    connection.set({ live: true });
    connectListeners.forEach((l) => l());
  },
  /** for tests */
  reset() {
    stopProbe();
    state = { gateway: true, live: true };
    listeners.forEach((l) => l());
  },
};

/** The live connection closed: lost unless it was closed on purpose (1000: no subscription left). */
export function liveClosed(event: unknown) {
  if ((event as { code?: number } | undefined)?.code !== 1000) connection.set({ live: false });
}

/** Any answer of the gateway's but a gateway error (502-504: the gateway or what is in front of it is down). */
export function gatewayAnswered(status: number): boolean {
  return status < 502 || status > 504;
}

// while the gateway is lost, a cheap request now and then tells when it is back (the page may
// have nothing else to ask)
function startProbe() {
  if (probe || typeof window === "undefined") return;
  probe = setInterval(async () => {
    try {
      const res = await fetch("/graphql", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-Requested-With": "JavaScript" },
        body: JSON.stringify({ query: "{ __typename }" }),
      });
      if (gatewayAnswered(res.status)) connection.set({ gateway: true });
    } catch {
      // still gone
    }
  }, PROBE_EVERY);
}

function stopProbe() {
  if (probe) clearInterval(probe);
  probe = null;
}
