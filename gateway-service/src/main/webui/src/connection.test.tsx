import { describe, expect, it, afterEach, vi } from "vitest";
import { render, screen, cleanup, act } from "@testing-library/react";
import { apiFetch } from "./api";
import { connection, liveClosed, PROBE_EVERY } from "./connection";
import { OfflineBanner } from "./components/Offline";

afterEach(() => {
  cleanup();
  connection.reset();
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe("the offline banner", () => {
  it("shows while the gateway does not answer and goes when it answers again", async () => {
    vi.useFakeTimers();
    const fetch = vi.fn().mockRejectedValue(new TypeError("Failed to fetch"));
    vi.stubGlobal("fetch", fetch);
    render(<OfflineBanner />);
    expect(screen.queryByTestId("offline")).toBeNull();
    await act(async () => {
      await expect(apiFetch("/graphql", { method: "POST" })).rejects.toThrow("Failed to fetch");
    });
    expect(screen.getByRole("alert").textContent).toContain("The gateway cannot be reached");
    // still down at the first probe
    await act(async () => { await vi.advanceTimersByTimeAsync(PROBE_EVERY); });
    expect(screen.getByTestId("offline")).toBeTruthy();
    // back: the next probe takes the banner away, with no other request from the page
    fetch.mockResolvedValue(new Response("{}", { status: 200 }));
    await act(async () => { await vi.advanceTimersByTimeAsync(PROBE_EVERY); });
    expect(screen.queryByTestId("offline")).toBeNull();
  });

  it("counts a 502-504 as the gateway lost, and any other answer (even 500) as it being there", async () => {
    vi.stubGlobal("fetch", vi.fn().mockResolvedValue(new Response("", { status: 503 })));
    render(<OfflineBanner />);
    await act(async () => { await apiFetch("/graphql"); });
    expect(screen.getByTestId("offline")).toBeTruthy();
    vi.stubGlobal("fetch", vi.fn().mockResolvedValue(new Response("", { status: 500 })));
    await act(async () => { await apiFetch("/graphql"); });
    expect(screen.queryByTestId("offline")).toBeNull();
  });

  it("shows while the live connection is lost, not when it was closed for want of subscriptions", () => {
    render(<OfflineBanner />);
    act(() => liveClosed({ code: 1000 }));
    expect(screen.queryByTestId("offline")).toBeNull();
    act(() => liveClosed({ code: 1006 }));
    expect(screen.getByRole("alert").textContent).toContain("Live updates are paused");
    act(() => connection.set({ live: true }));
    expect(screen.queryByTestId("offline")).toBeNull();
  });

  it("shows when the browser goes offline", () => {
    render(<OfflineBanner />);
    act(() => { window.dispatchEvent(new Event("offline")); });
    expect(screen.getByTestId("offline")).toBeTruthy();
  });
});
