import { useEffect, useSyncExternalStore } from "react";
import { connection } from "../connection";

/** A banner while the gateway or the live connection is lost; gone when they are back. */
export function OfflineBanner() {
  const state = useSyncExternalStore(connection.subscribe, connection.get);
  useEffect(() => {
    const down = () => connection.set({ gateway: false });
    window.addEventListener("offline", down);
    return () => window.removeEventListener("offline", down);
  }, []);
  if (state.gateway && state.live) return null;
  return (
    <p role="alert" className="offline" data-testid="offline">
      {!state.gateway
        ? "The gateway cannot be reached: what you see may be out of date. Retrying…"
        : "Live updates are paused: the connection to the gateway was lost. Reconnecting…"}
    </p>
  );
}
