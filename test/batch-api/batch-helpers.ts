import { toFile } from 'openai';
import { startNotifications } from '../../services/batch-submitter/start-notifications';
import { track } from '../helpers/lifecycle';
import { startTestParsimony, type TestParsimony } from '../helpers/parsimony';
import type { LooseJson } from '../helpers/loose-json';

export interface BatchParsimony extends TestParsimony {
  /** Stops the extra notifications worker, then Parsimony. */
  close(): Promise<void>;
}

/**
 * Parsimony (all services, one process) tuned for quick batches: provider
 * batches of the simulator take 0.5 s and are packed and polled fast,
 * open batches are swept every 200 ms, webhook retries start at 50 ms.
 * The batch-submitter starts notifications; this starts one more instance
 * (any number may run at once), which also exercises them side by side.
 */
export function startBatchParsimony(name: string, env: Record<string, string> = {}): Promise<BatchParsimony> {
  return track(startParsimony(name, env));
}

async function startParsimony(name: string, env: Record<string, string>): Promise<BatchParsimony> {
  const simBatchSeconds = process.env.SIM_BATCH_SECONDS;
  process.env.SIM_BATCH_SECONDS = '0.5';
  let p: TestParsimony;
  try {
    p = await startTestParsimony(name, {
      PARSIMONY_BATCH_SWEEP_MS: '200',
      PARSIMONY_WEBHOOK_BACKOFF_MS: '50',
      PARSIMONY_WEBHOOK_BACKOFF_MAX_MS: '400',
      PARSIMONY_BATCH_MAX_WAIT_SECONDS: '0.3',
      PARSIMONY_BATCH_FLUSH_INTERVAL_MS: '100',
      PARSIMONY_BATCH_POLL_SECONDS: '0.2',
      PARSIMONY_BATCH_POLL_MAX_SECONDS: '0.5',
      ...env,
    });
  } finally {
    if (simBatchSeconds === undefined) delete process.env.SIM_BATCH_SECONDS;
    else process.env.SIM_BATCH_SECONDS = simBatchSeconds;
  }
  const notifications = await startNotifications(p.app.workerPlatform, p.env);
  return {
    ...p,
    close: async () => {
      await notifications.close();
      await p.close();
    },
  };
}

/** One batch input line. */
export function line(customId: string, text: string, model = 'gpt-4.1-mini', extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body: { model, messages: [{ role: 'user', content: text }], ...extra } });
}

/** Uploads JSONL text with the SDK. */
export async function upload(p: TestParsimony, text: string, tenant: 'acme' | 'globex' = 'acme', name = 'input.jsonl') {
  return p.openai(tenant).files.create({ file: await toFile(Buffer.from(text), name), purpose: 'batch' });
}

/** Polls batches.retrieve until the batch reaches one of `statuses`. */
export async function waitForBatch(p: TestParsimony, id: string, statuses = ['completed', 'failed', 'expired', 'cancelled'], timeoutMs = 60_000, tenant: 'acme' | 'globex' = 'acme') {
  const client = p.openai(tenant);
  const until = Date.now() + timeoutMs;
  for (;;) {
    const batch = await client.batches.retrieve(id);
    if (statuses.includes(batch.status)) return batch;
    if (Date.now() > until) throw new Error(`batch ${id} still ${batch.status} after ${timeoutMs} ms: ${JSON.stringify(batch.request_counts)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A file's JSONL content, parsed. */
export async function readJsonl(p: TestParsimony, fileId: string | null | undefined): Promise<LooseJson[]> {
  if (!fileId) return [];
  const text = await (await p.openai().files.content(fileId)).text();
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}
