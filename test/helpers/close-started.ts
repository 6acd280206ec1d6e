import { closeAllStarted, SERVER_HOOK_TIMEOUT_MS } from './lifecycle';

// Runs for every test file (jest.config.js setupFilesAfterEnv): whatever a test
// file started and did not close (a beforeAll that timed out halfway) is closed here.
afterAll(closeAllStarted, SERVER_HOOK_TIMEOUT_MS);
