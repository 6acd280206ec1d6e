/** Tests run against the real Redis and real HTTP; see test/helpers for the factories. */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testTimeout: 30000,
  transform: { '^.+\\.ts$': ['ts-jest', {}] },
};
