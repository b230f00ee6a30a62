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
          react: ["react", "react-dom", "react-router"],
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
