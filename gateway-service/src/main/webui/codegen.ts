import type { CodegenConfig } from "@graphql-codegen/cli";

// schema.graphql is the gateway's schema, kept equal to the served one by the gateway's
// ConsoleSchemaTest; codegen fails the build when an operation in src/ does not match it.
const config: CodegenConfig = {
  schema: ["schema.graphql", "scalars.graphql"],
  documents: ["src/**/*.{ts,tsx}", "!src/gql/**/*"],
  ignoreNoDocuments: false,
  generates: {
    "src/gql/": {
      preset: "client",
      config: { scalars: { DateTime: "string", BigInteger: "number", Long: "number", OBJECT: "unknown", Object: "unknown", JSON: "unknown" }, enumsAsTypes: true },
      presetConfig: { fragmentMasking: false },
    },
  },
};
export default config;
