import { describe, expect, it } from "vitest";
import { can } from "./permissions";

describe("what the console offers", () => {
  const alice = {
    admin: false,
    bindings: [
      { scopeKind: "ENVIRONMENT", environment: "dev", permissions: ["READ", "WRITE", "EXECUTE"] },
      { scopeKind: "PIPELINE", environment: "prod", resource: "etl", permissions: ["EXECUTE"] },
      { scopeKind: "ENVIRONMENT", environment: "qa", permissions: ["WRITE"], pending: true },
    ],
  };
  it("follows the bindings' scope", () => {
    expect(can(alice, "WRITE", "dev")).toBe(true);
    expect(can(alice, "RELEASE", "dev")).toBe(false);
    expect(can(alice, "EXECUTE", "prod", "etl")).toBe(true);
    expect(can(alice, "EXECUTE", "prod", "other")).toBe(false);
    expect(can(alice, "EXECUTE", "prod")).toBe(false);
  });
  it("offers nothing for a pending binding, nobody, or another environment", () => {
    expect(can(alice, "WRITE", "qa")).toBe(false);
    expect(can(null, "READ", "dev")).toBe(false);
    expect(can({ admin: false, bindings: [] }, "READ", "dev")).toBe(false);
  });
  it("offers everything to an admin", () => {
    expect(can({ admin: true }, "DELETE", "prod")).toBe(true);
  });
});
