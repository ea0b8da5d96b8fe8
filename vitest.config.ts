import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/bench/**", "node_modules/**"],
    // Whole-corpus tests take seconds on a quiet machine and several times that
    // on a loaded shared runner; the limit only catches hangs, never speed.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Child processes and servers on 127.0.0.1: two cores, keep the pool small.
    maxWorkers: 2,
  },
});
