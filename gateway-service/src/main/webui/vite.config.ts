/// <reference types="vitest/config" />
import { defineConfig } from "vite";

// No @vitejs/plugin-react: esbuild's automatic JSX runtime is all the console needs, and it keeps
// the install small (docs/console.md).
export default defineConfig({
  esbuild: { jsx: "automatic" },
  build: {
    outDir: "dist",
    sourcemap: false,
    chunkSizeWarningLimit: 900,
    rollupOptions: {
      output: {
        // by package path: the object form also moved each library's own dependencies, and React's
        // jsx runtime went with React Flow into "dag", which the first page then had to load
        // (bench/run console)
        manualChunks(id: string) {
          if (!id.includes("/node_modules/")) return undefined;
          if (/\/node_modules\/(react|react-dom|react-router|scheduler|cookie|set-cookie-parser)\//.test(id)) return "react";
          if (/\/node_modules\/(urql|@urql|graphql|graphql-ws|wonka)\//.test(id)) return "graphql";
          if (/\/node_modules\/(codemirror|@codemirror|@lezer|crelt|style-mod|w3c-keyname)\//.test(id)) return "editor";
          if (/\/node_modules\/(@xyflow|@dagrejs|d3-[a-z-]+|zustand|classcat|use-sync-external-store)\//.test(id)) return "dag";
          return undefined;
        },
      },
    },
  },
  // the DAG's layout worker (components/layout.worker.ts) as an ES module
  worker: { format: "es" },
  server: {
    port: 5173,
    strictPort: true,
  },
  test: {
    environment: "happy-dom",
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
