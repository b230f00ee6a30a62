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
        manualChunks: {
          // jsx-runtime and react-dom/client with React: left out, they landed in the dag chunk
          // (its libraries use them too), which the first page then had to load (bench/run console)
          react: ["react", "react/jsx-runtime", "react-dom", "react-dom/client", "react-router"],
          graphql: ["urql", "graphql", "graphql-ws"],
          editor: ["codemirror", "@codemirror/state", "@codemirror/view", "@codemirror/lint", "@codemirror/lang-yaml"],
          dag: ["@xyflow/react", "@dagrejs/dagre"],
        },
      },
    },
  },
  server: {
    port: 5173,
    strictPort: true,
  },
  test: {
    environment: "happy-dom",
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
