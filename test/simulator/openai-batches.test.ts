import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI, { toFile } from 'openai';
import { Webhook } from 'standardwebhooks';
import type { Simulator } from '../../infra/simulator/server';
import { GPT, openaiClient, pollUntil, startTestSimulator } from './helpers';

const TERMINAL = ['completed', 'failed', 'expired', 'cancelled'];
const SECRET = `whsec_${Buffer.from('simulator-test-signing-key-0123456789').toString('base64')}`;

function jsonl(lines: unknown[]): string {
  return lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
}

function chatLines(count: number, model = GPT): unknown[] {
  return Array.from({ length: count }, (_, i) => ({
    custom_id: `req-${i}`,
    method: 'POST',
    url: '/v1/chat/completions',
    body: { model, messages: [{ role: 'user', content: `Question ${i}: classify ticket TCK-${i}` }], max_tokens: 60 },
  }));
}

interface Received {
  body: string;
  headers: Record<string, string>;
}

describe('OpenAI files and batches through the official SDK', () => {
  let sim: Simulator;
  let client: OpenAI;
  let receiver: Server;
  const received: Received[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ body: Buffer.concat(chunks).toString('utf8'), headers: req.headers as Record<string, string> });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const port = (receiver.address() as AddressInfo).port;
    sim = await startTestSimulator({ batchSeconds: 0.2, webhook: { url: `http://127.0.0.1:${port}/hook`, secret: SECRET } });
    client = openaiClient(sim);
  }, 120_000);
  afterAll(async () => {
    await sim.close();
    await new Promise((r) => receiver.close(r));
  });

  async function upload(content: string, name = 'input.jsonl') {
    return client.files.create({ file: await toFile(Buffer.from(content), name), purpose: 'batch' });
  }
  const waitTerminal = (id: string) =>
    pollUntil(
      () => client.batches.retrieve(id),
      (b) => TERMINAL.includes(b.status),
    );

  it('runs a batch round trip: upload → create → poll → output file, with metadata and a signed webhook', async () => {
    const file = await upload(jsonl(chatLines(6)));
    expect(file).toMatchObject({ object: 'file', purpose: 'batch', status: 'processed', filename: 'input.jsonl' });
    expect((await client.files.retrieve(file.id)).bytes).toBe(file.bytes);

    const created = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { job: 'nightly' } });
    expect(created.status).toBe('validating');
    expect(created.metadata).toEqual({ job: 'nightly' });
    const done = await waitTerminal(created.id);
    expect(done.status).toBe('completed');
    expect(done.request_counts).toEqual({ total: 6, completed: 6, failed: 0 });
    expect(done.in_progress_at).not.toBeNull();
    expect(done.finalizing_at).not.toBeNull();
    expect(done.completed_at).not.toBeNull();
    expect(done.error_file_id).toBeNull();
    expect(done.usage!.input_tokens).toBeGreaterThan(0);

    const text = await (await client.files.content(done.output_file_id!)).text();
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(6);
    const byId = new Map(lines.map((l) => [l.custom_id, l]));
    const first = byId.get('req-3');
    expect(first.id).toMatch(/^batch_req_/);
    expect(first.error).toBeNull();
    expect(first.response.status_code).toBe(200);
    expect(first.response.request_id).toMatch(/^[0-9a-f]{32}$/);
    expect(first.response.body.object).toBe('chat.completion');
    expect(first.response.body.choices[0].message.content).toContain('TCK-3');

    // The batch answer equals the synchronous answer to the same request.
    const sync = await client.chat.completions.create((chatLines(6)[3] as { body: OpenAI.Chat.ChatCompletionCreateParamsNonStreaming }).body);
    expect(first.response.body.choices[0].message.content).toBe(sync.choices[0].message.content);

    const hook = await pollUntil(
      async () => received.find((r) => JSON.parse(r.body).data.id === created.id),
      (r) => r !== undefined,
    );
    const event = new Webhook(SECRET).verify(hook!.body, hook!.headers) as { type: string; object: string; data: { id: string } };
    expect(event).toMatchObject({ object: 'event', type: 'batch.completed', data: { id: created.id } });
    // The OpenAI SDK's own verifier accepts it too.
    await expect(client.webhooks.verifySignature(hook!.body, hook!.headers, SECRET)).resolves.toBeUndefined();
    expect(() => new Webhook(SECRET).verify(hook!.body.replace('completed', 'failed'), hook!.headers)).toThrow();
  });

  it('reports partial failures in the error file (batch fault error_share)', async () => {
    sim.faults.add({ batch: { error_share: 0.5 } });
    const file = await upload(jsonl(chatLines(4)));
    const batch = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    const done = await waitTerminal(batch.id);
    expect(done.status).toBe('completed');
    expect(done.request_counts).toEqual({ total: 4, completed: 2, failed: 2 });
    const errors = (await (await client.files.content(done.error_file_id!)).text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(errors).toHaveLength(2);
    expect(errors[0].response.status_code).toBe(500);
    expect(errors[0].response.body.error).toMatchObject({ type: 'server_error' });
    const output = (await (await client.files.content(done.output_file_id!)).text()).trim().split('\n');
    expect(output).toHaveLength(2);
  });

  it('puts invalid requests in the error file with their 400 body', async () => {
    const lines = chatLines(2);
    (lines[1] as { body: Record<string, unknown> }).body.messages = [];
    const file = await upload(jsonl(lines));
    const done = await waitTerminal((await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' })).id);
    expect(done.request_counts).toEqual({ total: 2, completed: 1, failed: 1 });
    const [error] = (await (await client.files.content(done.error_file_id!)).text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(error.custom_id).toBe('req-1');
    expect(error.response.status_code).toBe(400);
    expect(error.response.body.error.param).toBe('messages');
  });

  it('fails validation of a malformed input file, with line errors', async () => {
    const file = await upload('{"custom_id":"a","method":"POST","url":"/v1/embeddings","body":{"model":"x","input":"y"}}\nnot json\n');
    const done = await waitTerminal((await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' })).id);
    expect(done.status).toBe('failed');
    expect(done.failed_at).not.toBeNull();
    expect(done.errors!.data!.map((e) => [e.code, e.line])).toEqual([
      ['mismatched_endpoint', 1],
      ['invalid_json_line', 2],
    ]);
  });

  it('expires a batch on request: unfinished requests get batch_expired error lines', async () => {
    sim.faults.add({ batch: { expire: true, completed_share: 0.5 } });
    const file = await upload(jsonl(chatLines(4)));
    const done = await waitTerminal((await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' })).id);
    expect(done.status).toBe('expired');
    expect(done.expired_at).not.toBeNull();
    expect(done.request_counts).toEqual({ total: 4, completed: 2, failed: 2 });
    const errors = (await (await client.files.content(done.error_file_id!)).text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(errors.every((e) => e.response === null && e.error.code === 'batch_expired')).toBe(true);
    const hook = await pollUntil(
      async () => received.find((r) => JSON.parse(r.body).data.id === done.id),
      (r) => r !== undefined,
    );
    expect(JSON.parse(hook!.body).type).toBe('batch.expired');
  });

  it('cancels a batch: cancelling → cancelled, and refuses to cancel a finished one', async () => {
    const slow = await startTestSimulator({ batchSeconds: 5 });
    try {
      const c = openaiClient(slow);
      const file = await c.files.create({ file: await toFile(Buffer.from(jsonl(chatLines(3))), 'in.jsonl'), purpose: 'batch' });
      const batch = await c.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
      const cancelling = await c.batches.cancel(batch.id);
      expect(cancelling.status).toBe('cancelling');
      expect(cancelling.cancelling_at).not.toBeNull();
      const done = await pollUntil(
        () => c.batches.retrieve(batch.id),
        (b) => b.status === 'cancelled',
      );
      expect(done.cancelled_at).not.toBeNull();
      const err = await c.batches.cancel(batch.id).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.ConflictError);
    } finally {
      await slow.close();
    }
  });

  it('lists batches newest first with after/limit cursors, and the SDK auto-paginates', async () => {
    const file = await upload(jsonl(chatLines(1)));
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' })).id);
    const page = await client.batches.list({ limit: 2 });
    expect(page.data.map((b) => b.id)).toEqual([ids[2], ids[1]]);
    expect(page.has_more).toBe(true);
    const next = await client.batches.list({ limit: 2, after: ids[1] });
    expect(next.data[0].id).toBe(ids[0]);
    const all: string[] = [];
    for await (const b of client.batches.list({ limit: 2 })) all.push(b.id);
    expect(all.slice(0, 3)).toEqual([ids[2], ids[1], ids[0]]);
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBe(sim.stats().batches_created);
  });

  it('rejects bad batch creation and unknown ids like the real API', async () => {
    const missing = await client.batches.create({ input_file_id: 'file-nope', endpoint: '/v1/chat/completions', completion_window: '24h' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    const notJsonl = await client.files.create({ file: await toFile(Buffer.from('x'), 'in.txt'), purpose: 'batch' }).catch((e: unknown) => e);
    expect(notJsonl).toBeInstanceOf(OpenAI.BadRequestError);
    await expect(client.batches.retrieve('batch_unknown')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('runs embeddings batches', async () => {
    const lines = [0, 1].map((i) => ({ custom_id: `e${i}`, method: 'POST', url: '/v1/embeddings', body: { model: 'text-embedding-3-small', input: `text ${i}`, dimensions: 4 } }));
    const file = await upload(jsonl(lines));
    const done = await waitTerminal((await client.batches.create({ input_file_id: file.id, endpoint: '/v1/embeddings', completion_window: '24h' })).id);
    expect(done.status).toBe('completed');
    const [first] = (await (await client.files.content(done.output_file_id!)).text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(first.response.body.data[0].embedding).toHaveLength(4);
  });
});
