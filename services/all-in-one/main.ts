import { runService } from '../lifecycle';
import { startAll } from './start-all';

/** `npm start`: every service in one Node process. */
void runService('parsimony', async () => {
  const running = await startAll({ env: process.env });
  return { log: running.httpPlatform.log, platforms: [running.httpPlatform, running.workerPlatform], stop: running.close };
});
