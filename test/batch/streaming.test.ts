import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { customIdOf, parseCustomId } from '../../shared/levers/batch/batch-provider';
import { encodeLines, readLines } from '../../shared/levers/batch/jsonl';
import { AnthropicBatchProvider } from '../../shared/providers/anthropic/batch-client';
import { OpenAIBatchProvider } from '../../shared/providers/openai/batch-client';
import { CostLedger } from '../../shared/core/accounting/cost-ledger';
import { createLogger } from '../../shared/platform/logging/logger';

/**
 * Input files and batch bodies leave as a stream: the official SDKs send the
 * first bytes while later lines are still being produced, so memory does not
 * grow with the batch. Results are read line by line.
 */
const log = createLogger({ service: 'test', level: 'silent' });
const TOTAL = 4_000;
let produced = 0;
let producedAtFirstByte = -1;
let received = 0;
let server: Server;
let url: string;

/** Lines produced slowly enough that the event loop (and the receiving server) runs in between. */
async function* slowLines(): AsyncGenerator<string> {
  produced = 0;
  for (let i = 0; i < TOTAL; i++) {
    if (i % 200 === 0) await new Promise((r) => setImmediate(r));
    produced += 1;
    yield JSON.stringify({ custom_id: `pb0000000000000000-job_${i}`, params: { model: 'm', max_tokens: 10, messages: [{ role: 'user', content: `question ${i} `.repeat(20) }] } });
  }
}

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    producedAtFirstByte = -1;
    received = 0;
    req.on('data', (chunk: Buffer) => {
      if (producedAtFirstByte < 0) producedAtFirstByte = produced;
      received += chunk.length;
    });
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.url?.endsWith('/files')) res.end(JSON.stringify({ id: 'file-1', object: 'file', bytes: received, created_at: 1, filename: 'x.jsonl', purpose: 'batch', status: 'processed' }));
      else res.end(JSON.stringify({ id: 'msgbatch_1', type: 'message_batch', processing_status: 'in_progress', request_counts: {}, created_at: new Date().toISOString() }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const intent = { id: 'pb0000000000000000', provider: 'openai', model: 'gpt-4.1-mini', size: TOTAL, createdAt: Date.now(), attempts: 0 };

test('openai: the input file upload (files.create) streams while its lines are produced', async () => {
  const provider = new OpenAIBatchProvider({ apiKey: 'sk-test', baseURL: `${url}/v1` }, log);
  const fileId = await provider.stage(intent, slowLines);
  expect(fileId).toBe('file-1');
  expect(produced).toBe(TOTAL);
  expect(received).toBeGreaterThan(TOTAL * 100);
  expect(producedAtFirstByte).toBeGreaterThan(0);
  expect(producedAtFirstByte).toBeLessThan(TOTAL);
});

test('anthropic: the batch body (messages.batches.create) streams while its requests are produced', async () => {
  const provider = new AnthropicBatchProvider({ apiKey: 'sk-ant-test', baseURL: url }, log);
  const ref = await provider.create({ ...intent, provider: 'anthropic' }, undefined, slowLines);
  expect(ref.id).toBe('msgbatch_1');
  expect(produced).toBe(TOTAL);
  expect(producedAtFirstByte).toBeLessThan(TOTAL);
});

test('JSONL encoding and decoding round-trip across chunk boundaries and multi-byte characters', async () => {
  const lines = Array.from({ length: 3_000 }, (_, i) => JSON.stringify({ i, text: `é漢🙂 ${'x'.repeat(i % 397)}` }));
  async function* source() {
    yield* lines;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of encodeLines(source(), { separator: '\n', trailing: true })) chunks.push(chunk);
  expect(chunks.length).toBeGreaterThan(1);
  // Re-split into awkward 7-byte pieces (splitting characters) and read back.
  const whole = Buffer.concat(chunks);
  async function* pieces() {
    for (let i = 0; i < whole.length; i += 7) yield whole.subarray(i, i + 7);
  }
  const back: string[] = [];
  for await (const line of readLines(pieces())) back.push(line);
  expect(back).toEqual(lines);
  // Anthropic's body framing is valid JSON.
  const framed: Buffer[] = [];
  for await (const chunk of encodeLines(source(), { open: '{"requests":[', separator: ',', trailing: false, close: ']}' })) framed.push(chunk);
  expect(JSON.parse(Buffer.concat(framed).toString('utf8')).requests).toHaveLength(3_000);
});

test('custom_id names the intent and the job, within Anthropic’s pattern', () => {
  const id = customIdOf('pb0123456789abcdef', 'job_AbC-dEf_123456789012');
  expect(id).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
  expect(parseCustomId(id)).toEqual({ intentId: 'pb0123456789abcdef', jobId: 'job_AbC-dEf_123456789012' });
  expect(parseCustomId('no-dash-prefix'.replace(/-/g, ''))).toBeUndefined();
});

test('a cost ledger survives deferral: toJSON / fromJSON', () => {
  const ledger = new CostLedger();
  ledger.contextTokensRemoved = 120;
  ledger.compressionTokensRemoved = 30;
  ledger.addOverhead(0.0012);
  const restored = CostLedger.fromJSON(JSON.parse(JSON.stringify(ledger.toJSON())));
  expect(restored.toJSON()).toEqual(ledger.toJSON());
  // Unknown or mistyped fields are ignored.
  const odd = CostLedger.fromJSON({ contextTokensRemoved: 'lots', injected: 1, batched: true });
  expect(odd.contextTokensRemoved).toBe(0);
  expect(odd.batched).toBe(true);
  expect((odd as unknown as Record<string, unknown>).injected).toBeUndefined();
});
