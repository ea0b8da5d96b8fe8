import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/bench/**", "node_modules/**"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Child processes and servers on 127.0.0.1: two cores, keep the pool small.
    maxWorkers: 2,
  },
});
