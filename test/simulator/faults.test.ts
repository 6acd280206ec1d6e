import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import type { Simulator, SimulatorStats } from '../../infra/simulator/server';
import { CLAUDE, GPT, anthropicClient, openaiClient, startTestSimulator } from './helpers';

const chat = { model: GPT, messages: [{ role: 'user' as const, content: 'ping' }] };

describe('fault injection', () => {
  let sim: Simulator;
  let client: OpenAI;
  beforeAll(async () => {
    sim = await startTestSimulator();
    client = openaiClient(sim);
  }, 120_000);
  afterAll(() => sim.close());
  afterEach(() => sim.faults.clear());

  it('answers a 429 with retry-after and rate-limit headers, seen by the SDK as RateLimitError, then recovers', async () => {
    sim.faults.add({ match: { path: '/v1/chat/completions' }, status: 429, retry_after_seconds: 7 });
    const err = await client.chat.completions.create(chat).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const e = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect(e.status).toBe(429);
    expect(e.headers.get('retry-after')).toBe('7');
    expect(e.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(e.code).toBe('rate_limit_exceeded');
    expect(e.type).toBe('requests');
    // times defaults to 1: the next call succeeds.
    await expect(client.chat.completions.create(chat)).resolves.toMatchObject({ object: 'chat.completion' });
  });

  it('applies a rule `times` times, then recovers; the SDK retry loop rides through it', async () => {
    sim.faults.add({ status: 500, times: 2 });
    await expect(client.chat.completions.create(chat)).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    await expect(client.chat.completions.create(chat)).rejects.toMatchObject({ status: 500, type: 'server_error' });
    await expect(client.chat.completions.create(chat)).resolves.toBeDefined();

    sim.faults.add({ status: 503, retry_after_seconds: 0, times: 2 });
    const retrying = openaiClient(sim, { maxRetries: 2 });
    const before = sim.stats();
    await expect(retrying.chat.completions.create(chat)).resolves.toBeDefined();
    const after = sim.stats();
    expect(after.requests['/v1/chat/completions'] - before.requests['/v1/chat/completions']).toBe(3);
    expect(after.faults_injected - before.faults_injected).toBe(2);
    expect(after.chat_calls - before.chat_calls).toBe(1);
  });

  it('matches on model and body substring, and renders Anthropic error shapes (529 overloaded)', async () => {
    const anthropic = anthropicClient(sim);
    sim.faults.add({ match: { model: 'other-model' }, status: 500 });
    sim.faults.add({ match: { path: '/v1/messages', contains: 'FAIL-ME' }, status: 529 });
    await expect(client.chat.completions.create(chat)).resolves.toBeDefined();
    await expect(anthropic.messages.create({ model: CLAUDE, max_tokens: 20, messages: [{ role: 'user', content: 'fine' }] })).resolves.toBeDefined();
    const err = await anthropic.messages.create({ model: CLAUDE, max_tokens: 20, messages: [{ role: 'user', content: 'please FAIL-ME' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect((err as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
    expect((err as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    // The model rule is still pending: it only fires for its model.
    expect(sim.faults.list()).toHaveLength(1);
    await expect(client.chat.completions.create({ ...chat, model: 'other-model' })).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    expect(sim.faults.list()).toHaveLength(0);
  });

  it('Anthropic 429 is a RateLimitError with rate_limit_error body and retry-after', async () => {
    sim.faults.add({ match: { path: '/v1/messages' }, status: 429, retry_after_seconds: 3 });
    const err = await anthropicClient(sim)
      .messages.create({ model: CLAUDE, max_tokens: 20, messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    expect((err as InstanceType<typeof Anthropic.RateLimitError>).headers?.get('retry-after')).toBe('3');
    expect((err as InstanceType<typeof Anthropic.RateLimitError>).error).toMatchObject({ error: { type: 'rate_limit_error' } });
  });

  it('hangs a request until the client times out, and adds latency', async () => {
    sim.faults.add({ hang: true });
    const impatient = openaiClient(sim, { timeout: 300 });
    const faultsBefore = sim.stats().faults_injected;
    const t0 = Date.now();
    // Under jest the SDK's abort arrives from another realm, so it reports APIConnectionError rather than
    // its subclass APIConnectionTimeoutError (outside jest it is the subclass).
    await expect(impatient.chat.completions.create(chat)).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(sim.stats().faults_injected).toBe(faultsBefore + 1);

    sim.faults.add({ latency_ms: 150 });
    const started = Date.now();
    await client.chat.completions.create(chat);
    const slow = Date.now() - started;
    expect(slow).toBeGreaterThanOrEqual(140);
  });

  it('is driven over HTTP by the /_sim admin API', async () => {
    const post = await fetch(`${sim.url}/_sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rules: [{ match: { path: '/v1/embeddings' }, status: 503, times: 1 }] }),
    });
    expect(post.status).toBe(200);
    expect(((await post.json()) as { rules: unknown[] }).rules).toHaveLength(1);
    await expect(client.embeddings.create({ model: 'text-embedding-3-small', input: 'x' })).rejects.toMatchObject({ status: 503 });
    await expect(client.embeddings.create({ model: 'text-embedding-3-small', input: 'x' })).resolves.toBeDefined();

    const invalid = await fetch(`${sim.url}/_sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rules: [{ match: {} }] }) });
    expect(invalid.status).toBe(400);

    await fetch(`${sim.url}/_sim/faults`, { method: 'POST', body: JSON.stringify({ rules: [{ status: 500, times: 0 }] }) });
    await expect(client.chat.completions.create(chat)).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    await expect(client.chat.completions.create(chat)).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    const del = await fetch(`${sim.url}/_sim/faults`, { method: 'DELETE' });
    expect(((await del.json()) as { rules: unknown[] }).rules).toEqual([]);
    await expect(client.chat.completions.create(chat)).resolves.toBeDefined();

    const stats = (await (await fetch(`${sim.url}/_sim/stats`)).json()) as SimulatorStats;
    expect(stats.embeddings_calls).toBeGreaterThanOrEqual(1);
    expect(stats.requests['/v1/embeddings']).toBeGreaterThanOrEqual(2);
    expect(stats.by_model[GPT].calls).toBeGreaterThan(0);
  });

  it('reset() forgets stats, faults and stored objects', async () => {
    const other = await startTestSimulator();
    try {
      const c = openaiClient(other);
      await c.chat.completions.create(chat);
      other.faults.add({ status: 500, times: 0 });
      other.reset();
      expect(other.stats().chat_calls).toBe(0);
      await expect(c.chat.completions.create(chat)).resolves.toBeDefined();
      expect(other.stats().chat_calls).toBe(1);
      const res = await fetch(`${other.url}/_sim/reset`, { method: 'POST' });
      expect(res.status).toBe(200);
      expect(other.stats().chat_calls).toBe(0);
    } finally {
      await other.close();
    }
  });
});
