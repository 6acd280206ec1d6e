import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Data dir shared by test runs on this machine (the word-vector conversion happens once). */
export const TEST_DATA_DIR = join(tmpdir(), 'parsimony-test-data');
