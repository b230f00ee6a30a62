import { Client, cacheExchange, fetchExchange, subscriptionExchange, CombinedError } from "urql";
import { createClient as createWsClient } from "graphql-ws";
import { connection, gatewayAnswered, liveClosed } from "./connection";

/** Where a signed-out visitor goes: the gateway's sign-in, then back to this very page. */
export function signInUrl(loc: { pathname: string; search: string } = window.location): string {
  return "/auth/login?to=" + encodeURIComponent(loc.pathname + loc.search);
}

/**
 * fetch for the API: sends the console's CSRF header with the session cookie and, when the session
 * has ended (401, or 499 from the gateway's OIDC client), goes through sign-in back to this page.
 */
export async function apiFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const headers = new Headers(init?.headers);
  headers.set("X-Requested-With", "JavaScript");
  let res: Response;
  try {
    res = await fetch(input, { ...init, headers, credentials: "same-origin" });
  } catch (e) {
    // no answer at all: the gateway (or the network to it) is gone
    connection.set({ gateway: false });
    throw e;
  }
  connection.set({ gateway: gatewayAnswered(res.status) });
  if (res.status === 401 || res.status === 499) {
    window.location.assign(signInUrl());
  }
  return res;
}

export function makeClient(): Client {
  const proto = window.location.protocol === "https:" ? "wss:" : "ws:";
  const ws = createWsClient({
    url: `${proto}//${window.location.host}/graphql`,
    lazy: true,
    retryAttempts: 1000,
    shouldRetry: () => true,
    on: {
      connected: () => connection.connected(),
      // 1000: closed on purpose (lazy: no subscription left); anything else is a lost connection,
      // which graphql-ws retries
      closed: liveClosed,
    },
  });
  return new Client({
    url: "/graphql",
    fetch: apiFetch,
    // the gateway takes GraphQL over POST only (a GET would be a CSRF-able read and is off in
    // SmallRye GraphQL); urql would otherwise send queries as GET
    preferGetMethod: false,
    requestPolicy: "cache-and-network",
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query || "" };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });
}

/** An API error as a person reads it: each message with its code. */
export function describeError(error: CombinedError): { message: string; code?: string }[] {
  if (error.graphQLErrors.length > 0) {
    return error.graphQLErrors.map((e) => ({
      message: e.message,
      code: (e.extensions?.code as string | undefined) ?? undefined,
    }));
  }
  if (error.networkError) {
    return [{ message: navigator.onLine ? error.networkError.message : "You are offline", code: "NETWORK" }];
  }
  return [{ message: error.message }];
}
