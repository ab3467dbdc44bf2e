import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/helpers/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    // Files share their worker's modules: importing the app again for every file (and compiling its
    // schemas again) cost 40% of the suite's time. Each file still builds its own app, database and
    // server processes, and leaves nothing running (afterAll closes them).
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
