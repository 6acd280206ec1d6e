import OpenAI from 'openai';
import { CliError } from './cli-error';
import { countingFetch, type UploadListener } from './upload-progress';

/** What every command gets: the Parsimony client and where to write. */
export interface CliContext {
  /** Official OpenAI SDK client pointed at Parsimony's /v1 (files, batches, and raw get/post for the rest). */
  client: OpenAI;
  /** Reports bytes sent while a request body uploads (set by commands that upload). */
  onUpload(listener: UploadListener | undefined): void;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

/**
 * Reads PARSIMONY_URL (default http://127.0.0.1:8080) and PARSIMONY_API_KEY
 * (required) and builds the client.
 */
export function createCliContext(env: NodeJS.ProcessEnv = process.env): CliContext {
  const apiKey = env.PARSIMONY_API_KEY;
  if (!apiKey) throw new CliError('PARSIMONY_API_KEY is not set: export your tenant API key (and PARSIMONY_URL if the server is not http://127.0.0.1:8080)');
  const base = (env.PARSIMONY_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
  let listener: UploadListener | undefined;
  const client = new OpenAI({
    apiKey,
    baseURL: base.endsWith('/v1') ? base : `${base}/v1`,
    fetch: countingFetch(() => listener),
    // 429s and 5xx are retried with backoff (honouring retry-after).
    maxRetries: 3,
  });
  return { client, onUpload: (l) => (listener = l), stdout: process.stdout, stderr: process.stderr };
}
