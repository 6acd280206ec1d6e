#!/usr/bin/env node
import { APIConnectionError, APIError } from 'openai';
import { CliError, usageError } from './cli-error';
import { createCliContext } from './cli-context';
import { BATCH_USAGE, batchCommand } from './commands/batch';
import { CACHE_USAGE, cacheCommand } from './commands/cache';
import { SAVINGS_USAGE, savingsCommand } from './commands/savings';

/**
 * `parsimony`: the operator and nightly-pipeline CLI. Talks to a Parsimony
 * server at PARSIMONY_URL with PARSIMONY_API_KEY. Data goes to stdout,
 * progress and messages to stderr; exit 0 = done, 1 = failed, 2 = usage.
 */
const USAGE = `parsimony — command line for a Parsimony server

environment: PARSIMONY_URL (default http://127.0.0.1:8080), PARSIMONY_API_KEY (your tenant key)

${BATCH_USAGE}

${SAVINGS_USAGE}

${CACHE_USAGE}`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    (command ? process.stdout : process.stderr).write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  const commands: Record<string, typeof batchCommand> = { batch: batchCommand, savings: savingsCommand, cache: cacheCommand };
  const run = commands[command];
  if (!run) throw usageError(`unknown command "${command}" (try: parsimony --help)`);
  return run(rest, createCliContext());
}

function report(err: unknown): number {
  const write = (message: string) => process.stderr.write(`parsimony: ${message}\n`);
  if (err instanceof CliError) {
    write(err.message);
    return err.exitCode;
  }
  if (err instanceof APIConnectionError) {
    write(`cannot reach Parsimony at ${process.env.PARSIMONY_URL || 'http://127.0.0.1:8080'} (${err.cause instanceof Error ? err.cause.message : err.message})`);
    return 1;
  }
  if (err instanceof APIError) {
    const body = err.error as { message?: string } | undefined;
    write(`${err.status ?? ''} ${body?.message ?? err.message}`.trim());
    return 1;
  }
  // parseArgs reports unknown or malformed options with a TypeError carrying an ERR_PARSE_ARGS_* code.
  if ((err as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS')) {
    write((err as Error).message);
    return 2;
  }
  write(err instanceof Error ? (err.stack ?? err.message) : String(err));
  return 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err) => (process.exitCode = report(err)),
  );
}
