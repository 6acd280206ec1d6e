import type { ChildProcess } from 'node:child_process';

/**
 * Every child process a reliability harness started (services, the
 * simulator, a dedicated redis-server), so the harness can stop all of them
 * however its run ends: normal end, a thrown error, SIGINT/SIGTERM. A
 * harness that restarts killed services keeps starting new children; only a
 * set of all of them (not the latest per slot) finds the ones started while
 * the run was ending.
 */
const children = new Set<ChildProcess>();

const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

/** Adds a child to the set; it leaves the set when it exits. */
export function trackChild(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Children still running. */
export function runningChildren(): ChildProcess[] {
  return [...children].filter(alive);
}

/** SIGTERMs every child still running (those `which` selects), waits up to `graceMs` for them, then SIGKILLs the rest. */
export async function stopChildren(graceMs = 8_000, which: (child: ChildProcess) => boolean = () => true): Promise<void> {
  const running = runningChildren().filter(which);
  const exited = running.map((child) => new Promise<void>((resolve) => (alive(child) ? child.once('exit', () => resolve()) : resolve())));
  for (const child of running) child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(exited), new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
  clearTimeout(timer);
  for (const child of running) if (alive(child)) child.kill('SIGKILL');
  await Promise.all(exited);
}

let installed = false;

/**
 * For a harness's main: SIGINT/SIGTERM stop every child and exit (130/143),
 * and whatever ends the process (process.exit, an uncaught error) SIGKILLs
 * the children still alive on the way out ('exit' handlers cannot wait).
 */
export function stopChildrenOnExit(log: (line: string) => void): void {
  if (installed) return;
  installed = true;
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping ${runningChildren().length} child processes`);
      void stopChildren().finally(() => process.exit(code));
    });
  }
  process.on('exit', () => {
    for (const child of runningChildren()) child.kill('SIGKILL');
  });
}
