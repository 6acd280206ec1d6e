import { createReadStream, createWriteStream, existsSync, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import type OpenAI from 'openai';
import { CliError, usageError } from '../cli-error';
import type { CliContext } from '../cli-context';
import { parseDuration } from '../duration';
import { ProgressBar } from '../progress-bar';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

type Batch = OpenAI.Batches.Batch & { cost?: { baseline_usd: number; actual_usd: number; saved_usd: number } | null };

const TERMINAL = new Set(['completed', 'failed', 'expired', 'cancelled']);

export const BATCH_USAGE = `usage:
  parsimony batch submit FILE.jsonl [--window 24h] [--callback URL] [--wait] [--interval 5s] [--json]
  parsimony batch status ID [--json]
  parsimony batch results ID [-o OUT.jsonl] [--errors]

submit   uploads FILE.jsonl (OpenAI batch format: one {custom_id, method, url, body} per line) and creates a batch;
         prints the batch id on stdout. --window is the completion window ("24h" or shorter: "6h", "30m");
         --callback URL is POSTed when the batch finishes (metadata.callback_url); --wait shows progress until
         the batch finishes and exits 1 unless it completed.
status   shows a batch's state, request counts and cost.
results  writes the output file (one response per line, by custom_id) to OUT or stdout; --errors writes the
         error file instead.`;

export async function batchCommand(args: string[], ctx: CliContext): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'submit') return submit(rest, ctx);
  if (sub === 'status') return status(rest, ctx);
  if (sub === 'results') return results(rest, ctx);
  if (!sub || sub === '--help' || sub === '-h') {
    ctx.stdout.write(`${BATCH_USAGE}\n`);
    return sub ? 0 : 2;
  }
  throw usageError(`unknown batch command "${sub}"\n${BATCH_USAGE}`);
}

async function submit(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      window: { type: 'string', default: '24h' },
      callback: { type: 'string' },
      wait: { type: 'boolean', default: false },
      interval: { type: 'string', default: '5s' },
      json: { type: 'boolean', default: false },
    },
  });
  const [file] = positionals;
  if (!file || positionals.length > 1) throw usageError(`batch submit takes one FILE.jsonl\n${BATCH_USAGE}`);
  if (!existsSync(file) || !statSync(file).isFile()) throw usageError(`${file}: no such file`);
  const intervalMs = parseDuration(values.interval, '--interval');
  if (values.callback !== undefined && !/^https?:\/\//i.test(values.callback)) throw usageError('--callback: expected an http(s) URL');

  const size = statSync(file).size;
  const upload = new ProgressBar('upload');
  upload.update(0, size, humanBytes(size));
  ctx.onUpload((sent) => upload.update(Math.min(sent, size), size, humanBytes(size)));
  let uploaded: OpenAI.Files.FileObject;
  try {
    uploaded = await ctx.client.files.create({ file: createReadStream(file), purpose: 'batch' });
  } finally {
    ctx.onUpload(undefined);
  }
  upload.update(size, size, humanBytes(size));
  upload.finish(`uploaded ${file} as ${uploaded.id}`);

  const batch = (await ctx.client.batches.create({
    input_file_id: uploaded.id,
    endpoint: '/v1/chat/completions',
    // Parsimony accepts windows shorter than OpenAI's "24h" (it meets them with its deadline fallback).
    completion_window: values.window as '24h',
    ...(values.callback ? { metadata: { callback_url: values.callback } } : {}),
  })) as Batch;
  ctx.stderr.write(`created ${batch.id} (${batch.request_counts?.total ?? 0} requests, window ${batch.completion_window})\n`);
  if (!values.wait) {
    ctx.stdout.write(values.json ? `${JSON.stringify(batch, null, 2)}\n` : `${batch.id}\n`);
    return 0;
  }
  const finished = await waitForBatch(ctx, batch.id, intervalMs);
  ctx.stderr.write(`${describe(finished)}\n`);
  ctx.stdout.write(values.json ? `${JSON.stringify(finished, null, 2)}\n` : `${finished.id}\n`);
  return finished.status === 'completed' ? 0 : 1;
}

/** Polls until the batch reaches a final state, drawing (completed + failed) / total. */
async function waitForBatch(ctx: CliContext, id: string, intervalMs: number): Promise<Batch> {
  const bar = new ProgressBar('batch ');
  for (;;) {
    const batch = (await ctx.client.batches.retrieve(id)) as Batch;
    const counts = batch.request_counts ?? { total: 0, completed: 0, failed: 0 };
    const done = counts.completed + counts.failed;
    bar.update(done, counts.total, `${done}/${counts.total} ${batch.status}`);
    if (TERMINAL.has(batch.status)) {
      bar.finish();
      return batch;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

async function status(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean', default: false } } });
  if (positionals.length !== 1) throw usageError(`batch status takes one batch ID\n${BATCH_USAGE}`);
  const batch = (await ctx.client.batches.retrieve(positionals[0])) as Batch;
  ctx.stdout.write(values.json ? `${JSON.stringify(batch, null, 2)}\n` : `${describe(batch)}\n`);
  return 0;
}

async function results(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { output: { type: 'string', short: 'o' }, errors: { type: 'boolean', default: false } },
  });
  if (positionals.length !== 1) throw usageError(`batch results takes one batch ID\n${BATCH_USAGE}`);
  const batch = (await ctx.client.batches.retrieve(positionals[0])) as Batch;
  const fileId = values.errors ? batch.error_file_id : batch.output_file_id;
  if (!fileId) {
    if (!TERMINAL.has(batch.status) && batch.status !== 'finalizing')
      throw new CliError(`${batch.id} is ${batch.status}; its results are available once it finishes (parsimony batch status ${batch.id})`);
    throw new CliError(`${batch.id} (${batch.status}) has no ${values.errors ? 'error' : 'output'} file`);
  }
  const content = await ctx.client.files.content(fileId);
  if (!content.body) throw new CliError(`file ${fileId} came back empty`);
  const source = Readable.fromWeb(content.body as WebReadableStream<Uint8Array>);
  if (values.output) {
    await pipeline(source, createWriteStream(values.output));
    ctx.stderr.write(`wrote ${values.errors ? 'errors' : 'results'} of ${batch.id} to ${values.output}\n`);
  } else {
    await pipeline(source, ctx.stdout, { end: false });
  }
  if (!values.errors && batch.error_file_id && (batch.request_counts?.failed ?? 0) > 0)
    ctx.stderr.write(`${batch.request_counts!.failed} request(s) failed: parsimony batch results ${batch.id} --errors\n`);
  return 0;
}

function describe(b: Batch): string {
  const counts = b.request_counts ?? { total: 0, completed: 0, failed: 0 };
  const at = (s: number | null | undefined) => (s ? new Date(s * 1000).toISOString() : '-');
  const lines = [
    `${b.id}  ${b.status}`,
    `  requests  ${counts.total} total, ${counts.completed} completed, ${counts.failed} failed`,
    `  window    ${b.completion_window} (created ${at(b.created_at)}, expires ${at(b.expires_at)})`,
  ];
  const finished = b.completed_at ?? b.failed_at ?? b.expired_at ?? b.cancelled_at;
  if (finished) lines.push(`  finished  ${at(finished)}`);
  if (b.output_file_id) lines.push(`  output    ${b.output_file_id}`);
  if (b.error_file_id) lines.push(`  errors    ${b.error_file_id}`);
  if (b.errors?.data?.length) lines.push(...b.errors.data.slice(0, 5).map((e) => `  error     ${e.line ? `line ${e.line}: ` : ''}${e.message}`));
  if (b.cost) lines.push(`  cost      baseline $${b.cost.baseline_usd.toFixed(6)}, actual $${b.cost.actual_usd.toFixed(6)}, saved $${b.cost.saved_usd.toFixed(6)}`);
  return lines.join('\n');
}

function humanBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 ** 2).toFixed(1)} MiB`;
}
