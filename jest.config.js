/**
 * Jest runs every *.test.ts under test/ with ts-jest (type-checking is `npm run build`'s job), in
 * two projects: `unit` (pure logic: no socket, relay, DynamoDB Local, browser or child process;
 * `npm run test:unit`) and `integration` (every other test file). `npm test` runs both.
 */

/**
 * The unit test files. A new test file lands in `integration` until it is named here, so it is
 * never skipped; name it here only if it opens no socket and starts no process.
 */
const UNIT_TESTS = [
  'bench-stall-trace',
  'byte-units',
  'frame-text-parse',
  'cli-disk-files',
  'cli-human-units',
  'cli-resume-state',
  'cli-terminal-qr-code',
  'client-codec',
  'client-congestion-control',
  'client-relay-errors',
  'client-stream-protocol',
  'direct-chunk-pieces',
  'frames.property',
  'node-crypto-port',
  'local-invocation-scheduler',
  'local-route-throttles',
  'printable-text',
  'reconnect-backoff',
  'safe-file-name',
  'time-left',
  'web-blob-source',
  'web-config',
  'web-error-text',
  'web-format',
  'ws-native-masking',
].map((name) => `<rootDir>/test/${name}.test.ts`);

/** What both projects share. */
const shared = {
  rootDir: __dirname,
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: {
    '^.+\\.tsx?$': 'ts-jest',
  },
};

module.exports = {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: UNIT_TESTS,
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', ...UNIT_TESTS],
      // Per project: Jest runs a project's global setup only when one of its tests is selected, so
      // `--selectProjects unit` (or one unit file) starts no DynamoDB Local.
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
  testTimeout: 60_000,
  maxWorkers: 2,
};
