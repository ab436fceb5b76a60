import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Browser tests each start their own Chromium; two cores cannot run many at once.
    maxWorkers: 2,
    // @actions/workflow-parser imports its JSON schema without an import attribute, which Node's own
    // loader refuses; let Vite transform it (test/github/workflows.test.ts).
    server: { deps: { inline: ['@actions/workflow-parser'] } },
  },
});
