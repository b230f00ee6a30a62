import { describe, expect, it, afterEach } from "vitest";
import { render, screen, cleanup } from "@testing-library/react";
import { CombinedError } from "urql";
import { GraphQLError } from "graphql";
import { LogView } from "./LogView";
import { ErrorBox } from "./Status";

afterEach(cleanup);

describe("LogView", () => {
  it("shows what a task prints as text, never as HTML", () => {
    const { container } = render(
      <LogView lines={[{ seq: 1, attempt: 1, text: '<img src=x onerror="alert(1)"><b>bold</b>' }, { seq: 2, attempt: 1, text: "token=***" }]} />,
    );
    expect(container.querySelector("img")).toBeNull();
    expect(container.querySelector("b")).toBeNull();
    expect(screen.getByText('<img src=x onerror="alert(1)"><b>bold</b>')).toBeTruthy();
    expect(screen.getByText("token=***")).toBeTruthy();
  });
  it("filters by a search", () => {
    render(<LogView lines={[{ seq: 1, attempt: 1, text: "alpha" }, { seq: 2, attempt: 1, text: "beta" }]} filter="bet" />);
    expect(screen.queryByText("alpha")).toBeNull();
    expect(screen.getByText("beta")).toBeTruthy();
  });
});

describe("ErrorBox", () => {
  it("shows an API error with its message and code", () => {
    const error = new CombinedError({
      graphQLErrors: [new GraphQLError("you may not write pipeline x", { extensions: { code: "FORBIDDEN" } })],
    });
    render(<ErrorBox error={error} />);
    expect(screen.getByRole("alert").textContent).toContain("FORBIDDEN");
    expect(screen.getByRole("alert").textContent).toContain("you may not write pipeline x");
  });
});
