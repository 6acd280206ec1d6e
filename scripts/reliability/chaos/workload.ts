import { randomUUID } from 'node:crypto';
import OpenAI, { toFile } from 'openai';
import { TENANT_KEYS, type Tenant } from './cluster';
import { TERMINAL, type CompletionView, type JobKind, type JobView, type Observations } from './observations';
import type { WebhookReceiver } from './webhook-receiver';

/**
 * The chaos run's clients: synchronous chat completions (openai SDK),
 * queued jobs (async and batch latency, some with callbacks, retried with an
 * Idempotency-Key until acknowledged), nightly files through the SDK's files
 * and batches, and a poller that observes every job until it is final.
 */
const MODELS = ['auto', 'auto', 'gpt-4.1-mini', 'gpt-4.1-nano', 'claude-haiku-4-5', 'claude-sonnet-4-6'];
const REPEATED = ['What is the capital of France?', 'Classify the sentiment: I love this phone.', 'Translate "good morning" to Spanish.', 'Summarise: the meeting moved to Tuesday.'];

export interface WorkloadStats {
  unacknowledged: Record<JobKind | 'nightly-file', number>;
  nightlyBatches: { id: string; tenant: Tenant; status?: string; callback: boolean; lines: number; linesSeen?: number }[];
}

const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Workload {
  readonly stats: WorkloadStats = { unacknowledged: { sync: 0, async: 0, 'batch-latency': 0, nightly: 0, 'nightly-file': 0 }, nightlyBatches: [] };
  private seq = 0;

  constructor(
    private readonly url: string,
    readonly obs: Observations,
    private readonly receiver: WebhookReceiver,
  ) {}

  client(tenant: Tenant): OpenAI {
    return new OpenAI({ apiKey: TENANT_KEYS[tenant], baseURL: `${this.url}/v1`, maxRetries: 0, timeout: 30_000 });
  }

  api(tenant: Tenant, path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`${this.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${TENANT_KEYS[tenant]}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
      signal: AbortSignal.timeout(30_000),
    });
  }

  private prompt(): string {
    this.seq += 1;
    return Math.random() < 0.25 ? pick(REPEATED) : `Chaos request ${this.seq}: explain item ${Math.floor(Math.random() * 1e6)} briefly.`;
  }

  /** One synchronous chat completion; acknowledged when an answer (or a job's own failure) came back. */
  async sync(tenant: Tenant): Promise<void> {
    try {
      const { data, response } = await this.client(tenant)
        .chat.completions.create({ model: pick(MODELS), messages: [{ role: 'user', content: this.prompt() }] })
        .withResponse();
      const id = response.headers.get('x-parsimony-job-id');
      if (!id) throw new Error('no job id on a sync answer');
      this.obs.track(id, tenant, 'sync');
      this.obs.observeCompletion(id, data);
    } catch (err) {
      const e = err as { status?: number; headers?: Headers };
      const id = e.headers?.get?.('x-parsimony-job-id');
      // The job itself failed (provider error, refused request): acknowledged, and its failure is an observation.
      if (id && e.status && [400, 429, 502].includes(e.status)) {
        this.obs.track(id, tenant, 'sync');
        this.obs.observeFailure(id);
      } else {
        // No answer, or a refusal (503: Redis unreachable; retry): the request was not taken on. Its record,
        // when one was written, may stay 'running' (see orphaned_records).
        this.stats.unacknowledged.sync += 1;
      }
    }
  }

  /** One queued job, retried with its Idempotency-Key until acknowledged (at most `giveUpMs`). */
  async queued(tenant: Tenant, latency: 'async' | 'batch', giveUpMs = 60_000): Promise<void> {
    const key = randomUUID();
    const callback = Math.random() < 0.4;
    const body = JSON.stringify({
      request: { model: pick(MODELS), messages: [{ role: 'user', content: this.prompt() }] },
      latency,
      ...(latency === 'batch' ? { deadline: '3m' } : {}),
      ...(callback ? { callback_url: this.receiver.callbackFor(tenant) } : {}),
    });
    const until = Date.now() + giveUpMs;
    for (let attempt = 0; Date.now() < until; attempt++) {
      try {
        const res = await this.api(tenant, '/v1/jobs', { method: 'POST', body, headers: { 'idempotency-key': key } });
        const json = (await res.json()) as { id?: string };
        if (res.ok && json.id) {
          this.obs.track(json.id, tenant, latency === 'batch' ? 'batch-latency' : 'async', callback);
          return;
        }
      } catch {
        // producer down, Redis down: retry with the same key
      }
      await sleep(Math.min(3_000, 200 * 2 ** attempt));
    }
    this.stats.unacknowledged[latency === 'batch' ? 'batch-latency' : 'async'] += 1;
  }

  /** A nightly file through the SDK: upload, create the batch (retrying both), then track it. */
  async nightly(tenant: Tenant, lines: number, giveUpMs = 90_000): Promise<void> {
    const client = this.client(tenant);
    const jsonl = Array.from({ length: lines }, (_, i) =>
      JSON.stringify({
        custom_id: `n${this.seq}-${i}`,
        method: 'POST',
        url: '/v1/chat/completions',
        body: { model: pick(MODELS), messages: [{ role: 'user', content: `Nightly line ${i} of run ${this.seq}: ${this.prompt()}` }] },
      }),
    ).join('\n');
    this.seq += 1;
    const until = Date.now() + giveUpMs;
    let fileId: string | undefined;
    while (!fileId && Date.now() < until) {
      fileId = await client.files.create({ file: await toFile(Buffer.from(`${jsonl}\n`), 'nightly.jsonl'), purpose: 'batch' }).then(
        (f) => f.id,
        () => undefined,
      );
      if (!fileId) await sleep(1_000);
    }
    if (!fileId) {
      this.stats.unacknowledged['nightly-file'] += 1;
      return;
    }
    const callback = Math.random() < 0.5;
    while (Date.now() < until) {
      const batch = await client.batches
        .create({ input_file_id: fileId, endpoint: '/v1/chat/completions', completion_window: '24h', metadata: callback ? { callback_url: this.receiver.callbackFor(tenant) } : undefined })
        .catch(() => undefined);
      if (batch) {
        this.stats.nightlyBatches.push({ id: batch.id, tenant, callback, lines });
        return;
      }
      await sleep(1_000);
    }
    this.stats.unacknowledged['nightly-file'] += 1;
  }

  /** Observes every job not yet final (and, now and then, the final ones again). */
  async pollOnce(all = false): Promise<number> {
    let open = 0;
    const jobs = [...this.obs.jobs.values()].filter((t) => all || !t.last || !TERMINAL.includes(t.last.status) || Math.random() < 0.05);
    for (let i = 0; i < jobs.length; i += 16) {
      await Promise.all(
        jobs.slice(i, i + 16).map(async (t) => {
          try {
            const res = await this.api(t.tenant, `/v1/jobs/${t.id}`);
            if (res.status === 200) this.obs.observeJob((await res.json()) as JobView);
            else if (res.status === 404) t.last = { id: t.id, status: 'missing' };
          } catch {
            // producer down: next pass
          }
        }),
      );
    }
    for (const t of this.obs.jobs.values()) if (!t.last || !TERMINAL.includes(t.last.status)) open += 1;
    return open;
  }

  /** Checks the nightly batches; a finished one's output lines are observations of its jobs. */
  async pollNightly(): Promise<number> {
    let open = 0;
    for (const b of this.stats.nightlyBatches) {
      if (b.status && ['completed', 'failed', 'expired', 'cancelled'].includes(b.status)) continue;
      try {
        const client = this.client(b.tenant);
        const batch = await client.batches.retrieve(b.id);
        if (!['completed', 'failed', 'expired', 'cancelled'].includes(batch.status)) {
          open += 1;
          continue;
        }
        let seen = 0;
        for (const fileId of [batch.output_file_id, batch.error_file_id]) {
          if (!fileId) continue;
          const text = await (await client.files.content(fileId)).text();
          for (const line of text.split('\n').filter(Boolean)) {
            seen += 1;
            const row = JSON.parse(line) as { response?: { status_code: number; request_id: string; body: CompletionView } | null; error?: unknown };
            const id = row.response?.request_id;
            if (!id) continue;
            this.obs.track(id, b.tenant, 'nightly');
            if (row.response!.status_code === 200) this.obs.observeCompletion(id, row.response!.body);
            else this.obs.observeFailure(id);
          }
        }
        b.status = batch.status;
        b.linesSeen = seen;
      } catch {
        open += 1;
      }
    }
    return open;
  }
}
