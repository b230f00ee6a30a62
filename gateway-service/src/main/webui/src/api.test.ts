import { describe, expect, it } from "vitest";
import { createRequest } from "urql";
import { parse } from "graphql";
import { makeClient } from "./api";

describe("the console's GraphQL client", () => {
  it("sends queries as POST: the gateway refuses GraphQL over GET (405)", () => {
    const client = makeClient();
    const op = client.createRequestOperation("query", createRequest(parse("{ me { name } }"), {}));
    expect(op.context.preferGetMethod).toBe(false);
    expect(op.context.url).toBe("/graphql");
  });
});
