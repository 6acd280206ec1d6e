import Anthropic from '@anthropic-ai/sdk';
import type { Simulator } from '../../infra/simulator/server';
import { CLAUDE, anthropicClient, pollUntil, startTestSimulator } from './helpers';

type BatchRequest = Anthropic.Messages.BatchCreateParams.Request;

function requests(count: number): BatchRequest[] {
  return Array.from({ length: count }, (_, i) => ({
    custom_id: `item-${i}`,
    params: { model: CLAUDE, max_tokens: 100, messages: [{ role: 'user', content: `Summarise case CASE-${i}` }] },
  }));
}

async function results(client: Anthropic, id: string): Promise<Anthropic.Messages.MessageBatchIndividualResponse[]> {
  const out: Anthropic.Messages.MessageBatchIndividualResponse[] = [];
  for await (const r of await client.messages.batches.results(id)) out.push(r);
  return out;
}

describe('Anthropic message batches through the official SDK', () => {
  let sim: Simulator;
  let client: Anthropic;
  beforeAll(async () => {
    sim = await startTestSimulator({ batchSeconds: 0.2 });
    client = anthropicClient(sim);
  }, 120_000);
  afterAll(() => sim.close());

  const waitEnded = (id: string) =>
    pollUntil(
      () => client.messages.batches.retrieve(id),
      (b) => b.processing_status === 'ended',
    );

  it('runs a batch round trip with results (and a results_url on this server)', async () => {
    const reqs = requests(5);
    reqs[4] = { custom_id: 'bad', params: { model: CLAUDE, max_tokens: 100, messages: [{ role: 'assistant', content: 'no user first' }] } };
    const created = await client.messages.batches.create({ requests: reqs });
    expect(created).toMatchObject({ type: 'message_batch', processing_status: 'in_progress', results_url: null, ended_at: null });
    expect(created.id).toMatch(/^msgbatch_01/);
    expect(created.request_counts).toEqual({ processing: 5, succeeded: 0, errored: 0, canceled: 0, expired: 0 });
    expect(created).not.toHaveProperty('metadata');
    await expect(client.messages.batches.results(created.id)).rejects.toThrow(/results_url/);

    const ended = await waitEnded(created.id);
    expect(ended.request_counts).toEqual({ processing: 0, succeeded: 4, errored: 1, canceled: 0, expired: 0 });
    expect(ended.ended_at).not.toBeNull();
    expect(ended.results_url).toBe(`${sim.url}/v1/messages/batches/${created.id}/results`);

    const out = await results(client, created.id);
    expect(out).toHaveLength(5);
    const ok = out.find((r) => r.custom_id === 'item-2')!;
    expect(ok.result.type).toBe('succeeded');
    const message = (ok.result as Anthropic.Messages.MessageBatchSucceededResult).message;
    expect((message.content[0] as Anthropic.TextBlock).text).toContain('CASE-2');
    expect(message.usage.service_tier).toBe('batch');
    const bad = out.find((r) => r.custom_id === 'bad')!;
    expect(bad.result.type).toBe('errored');
    expect((bad.result as Anthropic.Messages.MessageBatchErroredResult).error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    expect(sim.stats().batch_requests).toBeGreaterThanOrEqual(4);
  });

  it('errors a share of the requests on a batch fault (partial failure)', async () => {
    sim.faults.add({ batch: { error_share: 0.25 } });
    const batch = await client.messages.batches.create({ requests: requests(8) });
    const ended = await waitEnded(batch.id);
    expect(ended.request_counts).toMatchObject({ succeeded: 6, errored: 2 });
    const errored = (await results(client, batch.id)).filter((r) => r.result.type === 'errored');
    expect((errored[0].result as Anthropic.Messages.MessageBatchErroredResult).error.error.type).toBe('api_error');
  });

  it('expires a batch on request: unfinished requests are "expired"', async () => {
    sim.faults.add({ batch: { expire: true } });
    const batch = await client.messages.batches.create({ requests: requests(3) });
    const ended = await waitEnded(batch.id);
    expect(ended.request_counts).toEqual({ processing: 0, succeeded: 0, errored: 0, canceled: 0, expired: 3 });
    expect((await results(client, batch.id)).every((r) => r.result.type === 'expired')).toBe(true);
  });

  it('cancels: canceling → ended with canceled results', async () => {
    const slow = await startTestSimulator({ batchSeconds: 5 });
    try {
      const c = anthropicClient(slow);
      const batch = await c.messages.batches.create({ requests: requests(3) });
      const canceling = await c.messages.batches.cancel(batch.id);
      expect(canceling.processing_status).toBe('canceling');
      expect(canceling.cancel_initiated_at).not.toBeNull();
      const ended = await pollUntil(
        () => c.messages.batches.retrieve(batch.id),
        (b) => b.processing_status === 'ended',
      );
      expect(ended.request_counts.canceled).toBe(3);
      expect((await results(c, batch.id)).map((r) => r.result.type)).toEqual(['canceled', 'canceled', 'canceled']);
      await expect(c.messages.batches.delete(batch.id)).resolves.toMatchObject({ id: batch.id, type: 'message_batch_deleted' });
      await expect(c.messages.batches.retrieve(batch.id)).rejects.toBeInstanceOf(Anthropic.NotFoundError);
    } finally {
      await slow.close();
    }
  });

  it('lists newest first with after_id / before_id / limit and auto-paginates', async () => {
    const fresh = await startTestSimulator({ batchSeconds: 0.2 });
    try {
      const c = anthropicClient(fresh);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await c.messages.batches.create({ requests: requests(1) })).id);
      const newestFirst = [...ids].reverse();
      const page = await c.messages.batches.list({ limit: 2 });
      expect(page.data.map((b) => b.id)).toEqual(newestFirst.slice(0, 2));
      expect(page.has_more).toBe(true);
      expect(page.first_id).toBe(newestFirst[0]);
      expect(page.last_id).toBe(newestFirst[1]);
      const older = await c.messages.batches.list({ limit: 2, after_id: newestFirst[1] });
      expect(older.data.map((b) => b.id)).toEqual(newestFirst.slice(2, 4));
      const newer = await c.messages.batches.list({ limit: 2, before_id: newestFirst[3] });
      expect(newer.data.map((b) => b.id)).toEqual(newestFirst.slice(1, 3));
      expect(newer.has_more).toBe(true);
      const all: string[] = [];
      for await (const b of c.messages.batches.list({ limit: 2 })) all.push(b.id);
      expect(all).toEqual(newestFirst);
    } finally {
      await fresh.close();
    }
  });

  it('validates batch creation like the real API', async () => {
    const dup = await client.messages.batches.create({ requests: [...requests(1), ...requests(1)] }).catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(Anthropic.BadRequestError);
    const badId = await client.messages.batches.create({ requests: [{ custom_id: 'has space', params: requests(1)[0].params }] }).catch((e: unknown) => e);
    expect(badId).toBeInstanceOf(Anthropic.BadRequestError);
    const empty = await client.messages.batches.create({ requests: [] }).catch((e: unknown) => e);
    expect(empty).toBeInstanceOf(Anthropic.BadRequestError);
    await expect(client.messages.batches.retrieve('msgbatch_nope')).rejects.toBeInstanceOf(Anthropic.NotFoundError);
  });
});
