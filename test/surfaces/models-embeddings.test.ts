import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { Catalog } from '../../shared/core/catalog/catalog';
import { startTestParsimony, waitForJob, type TestParsimony } from '../helpers/parsimony';

/**
 * GET /v1/models and POST /v1/embeddings through the official openai SDK,
 * against Parsimony on real HTTP and Redis with the simulator as OpenAI.
 */
let p: TestParsimony | undefined;
beforeAll(async () => {
  p = await startTestParsimony('surfaces-models-embeddings');
}, 120_000);
afterAll(async () => {
  await p?.close();
});
const app = () => p!;
const catalog = Catalog.load();

describe('GET /v1/models', () => {
  test('models.list() returns the catalog (chat and embedding models) plus auto, in OpenAI list shape', async () => {
    const ids: string[] = [];
    for await (const model of app().openai().models.list()) {
      expect(model).toMatchObject({ object: 'model', created: expect.any(Number), owned_by: expect.any(String) });
      ids.push(model.id);
    }
    expect(ids).toContain('auto');
    for (const m of catalog.models) expect(ids).toContain(m.id);
    for (const e of catalog.file.embeddings) expect(ids).toContain(e.id);
    expect(new Set(ids).size).toBe(ids.length);
    const raw = await (await app().http('/v1/models')).json();
    expect(raw.object).toBe('list');
  });

  test('models.retrieve() answers a catalog id, an alias and auto; an unknown id is a 404 in our error shape', async () => {
    const client = app().openai();
    expect(await client.models.retrieve('gpt-5.6-sol')).toMatchObject({ id: 'gpt-5.6-sol', object: 'model', owned_by: 'openai' });
    expect(await client.models.retrieve('claude-opus-5-5')).toMatchObject({ id: 'claude-opus-5-5', owned_by: 'anthropic' });
    expect(await client.models.retrieve('gpt-5.4-mini-2026-03-17')).toMatchObject({ id: 'gpt-5.4-mini-2026-03-17', owned_by: 'openai' });
    expect(await client.models.retrieve('auto')).toMatchObject({ id: 'auto', owned_by: 'parsimony' });
    await expect(client.models.retrieve('gpt-0-unknown')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const res = await app().http('/v1/models/gpt-0-unknown');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { type: 'not_found_error', message: expect.stringContaining('gpt-0-unknown') } });
  });

  test('the list needs an API key like every /v1 route', async () => {
    expect((await app().http('/v1/models', { tenant: null })).status).toBe(401);
  });

  test('the simulator lists every catalog model too', async () => {
    const sim = new OpenAI({ apiKey: 'sk-test', baseURL: `${app().sim.url}/v1`, maxRetries: 0 });
    const ids: string[] = [];
    for await (const model of sim.models.list()) ids.push(model.id);
    for (const m of catalog.models) expect(ids).toContain(m.id);
    expect(ids).toContain('text-embedding-3-small');
    expect((await sim.models.retrieve('gpt-5.6-luna')).id).toBe('gpt-5.6-luna');
    await expect(sim.models.retrieve('nope-model')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    // The same path answers the Anthropic SDK (anthropic-version header) in Anthropic's shape.
    const claude = new Anthropic({ apiKey: 'sk-ant-test', baseURL: app().sim.url, maxRetries: 0 });
    const claudeIds: string[] = [];
    for await (const model of claude.models.list()) claudeIds.push(model.id);
    expect(claudeIds).toContain('claude-opus-5-5');
    expect(claudeIds.every((id) => id.startsWith('claude-'))).toBe(true);
    expect((await claude.models.retrieve('claude-haiku-5-5')).type).toBe('model');
  });
});

describe('POST /v1/embeddings', () => {
  const input = ['the quick brown fox', 'jumps over the lazy dog'];

  test('a second identical call is served from the tenant cache; both are jobs, counted in savings', async () => {
    const client = app().openai();
    const before = app().sim.stats().embeddings_calls;
    const first = await client.embeddings.create({ model: 'text-embedding-3-small', input, dimensions: 64 }).withResponse();
    expect(first.data.data).toHaveLength(2);
    expect(first.data.data[0].embedding).toHaveLength(64);
    expect(first.data.usage.prompt_tokens).toBeGreaterThan(0);
    expect(first.response.headers.get('x-parsimony-cache')).toBe('miss');
    const second = await client.embeddings.create({ model: 'text-embedding-3-small', input, dimensions: 64 }).withResponse();
    expect(second.response.headers.get('x-parsimony-cache')).toBe('hit');
    expect(second.data.data.map((d) => d.embedding)).toEqual(first.data.data.map((d) => d.embedding));
    expect(app().sim.stats().embeddings_calls - before).toBe(1);

    const price = catalog.embedding('text-embedding-3-small')!.price.input;
    const jobs = [];
    for (const r of [first, second]) {
      const job = await waitForJob(app(), r.response.headers.get('x-parsimony-job-id')!);
      expect(job).toMatchObject({ status: 'completed', route: { model: 'text-embedding-3-small', provider: 'openai' } });
      expect(job.response.object).toBe('list');
      expect(job.usage.input_tokens).toBe(first.data.usage.prompt_tokens);
      expect(job.cost.baseline_usd).toBeCloseTo((first.data.usage.prompt_tokens * price) / 1e6, 10);
      jobs.push(job);
    }
    expect(jobs[0]).toMatchObject({ delivered_by: 'execute', cache: { hit: false, status: 'miss' } });
    expect(jobs[0].cost.actual_usd).toBeCloseTo(jobs[0].cost.baseline_usd, 10);
    expect(jobs[1]).toMatchObject({ delivered_by: 'cache', cache: { hit: true, status: 'hit', kind: 'exact' } });
    expect(jobs[1].cost.actual_usd).toBe(0);
    expect(jobs[1].cost.by_lever.cache).toBeCloseTo(jobs[1].cost.baseline_usd, 10);

    const report = await (await app().http('/v1/savings')).json();
    expect(report.requests).toBe(2);
    expect(report.baseline_usd).toBeCloseTo(jobs[0].cost.baseline_usd + jobs[1].cost.baseline_usd, 10);
    expect(report.by_lever.cache).toBeCloseTo(jobs[1].cost.by_lever.cache, 10);
    // Embeddings are not routed: the routing mix is the mix of chat jobs only.
    expect(report.routing_mix).toEqual({ small: 0, mid: 0, frontier: 0 });
  });

  test('what shapes the answer is part of the key: other dimensions, format, input or tenant miss the cache', async () => {
    const client = app().openai();
    const base = { model: 'text-embedding-3-small', input: 'cache key probe' } as const;
    const miss = async (c: OpenAI, body: OpenAI.EmbeddingCreateParams) => (await c.embeddings.create(body).withResponse()).response.headers.get('x-parsimony-cache');
    expect(await miss(client, { ...base, dimensions: 32 })).toBe('miss');
    expect(await miss(client, { ...base, dimensions: 32 })).toBe('hit');
    expect(await miss(client, { ...base, dimensions: 16 })).toBe('miss');
    expect(await miss(client, { ...base, dimensions: 32, encoding_format: 'float' })).toBe('miss');
    expect(await miss(client, { ...base, input: 'cache key probe!', dimensions: 32 })).toBe('miss');
    expect(await miss(app().openai('globex'), { ...base, dimensions: 32 })).toBe('miss');
  });

  test('base64 answers decode like the provider’s: the SDK default format round-trips', async () => {
    // Without encoding_format the SDK asks for base64 and decodes it: the vector must equal the float answer.
    const client = app().openai();
    const viaBase64 = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'format probe', dimensions: 8 });
    const viaFloat = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'format probe', dimensions: 8, encoding_format: 'float' });
    expect(viaBase64.data[0].embedding).toHaveLength(8);
    viaBase64.data[0].embedding.forEach((x, i) => expect(x).toBeCloseTo(viaFloat.data[0].embedding[i], 6));
  });

  test('bad input is a 400 in our error shape: unknown model, chat model, too many dimensions, unknown key, empty input', async () => {
    const bad = async (json: unknown, pattern: RegExp) => {
      const res = await app().http('/v1/embeddings', { method: 'POST', json });
      expect(res.status).toBe(400);
      const body = await res.json();
      expect(body.error.type).toBe('invalid_request_error');
      expect(body.error.message).toMatch(pattern);
    };
    await bad({ model: 'text-embedding-9', input: 'x' }, /not an embedding model of the catalog/);
    await bad({ model: 'gpt-5.6-sol', input: 'x' }, /not an embedding model/);
    await bad({ model: 'text-embedding-3-small', input: 'x', dimensions: 5000 }, /at most 1536/);
    await bad({ model: 'text-embedding-3-small', input: 'x', extra: 1 }, /extra/);
    await bad({ model: 'text-embedding-3-small', input: '' }, /input/);
  });
});
