/** Tests run against the real Redis and real HTTP; see test/helpers for the factories. */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testTimeout: 30000,
  // Closes whatever a test file started and left open (a beforeAll that timed out halfway): test/helpers/lifecycle.ts.
  setupFilesAfterEnv: ['<rootDir>/test/helpers/close-started.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', {}] },
};
