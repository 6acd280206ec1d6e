import type { RequestContext } from '../context';
import { publicBaseUrl } from '../context';
import { SimError } from '../errors';
import { intParam, sendJson, writeChunk } from '../http';
import type { BatchRequest, MessageBatchObject } from './batches';
import { anthropicHeaders } from './headers';

/** HTTP side of /v1/messages/batches: create, retrieve, list (after_id/before_id), cancel, results, delete. */

const MAX_REQUESTS = 100_000;
const CUSTOM_ID = /^[a-zA-Z0-9_-]{1,64}$/;

export function handleCreateMessageBatch(ctx: RequestContext): void {
  const body = ctx.body;
  if (typeof body !== 'object' || body === null) throw new SimError(400, 'requests: Field required');
  const requests = body.requests;
  if (requests === undefined) throw new SimError(400, 'requests: Field required');
  if (!Array.isArray(requests)) throw new SimError(400, 'requests: Input should be a valid list');
  if (requests.length === 0) throw new SimError(400, 'requests: List should have at least 1 item after validation, not 0');
  if (requests.length > MAX_REQUESTS) throw new SimError(400, `requests: List should have at most ${MAX_REQUESTS} items after validation, not ${requests.length}`);
  const seen = new Set<string>();
  requests.forEach((r: BatchRequest, i: number) => {
    if (typeof r?.custom_id !== 'string') throw new SimError(400, `requests.${i}.custom_id: Field required`);
    if (!CUSTOM_ID.test(r.custom_id)) throw new SimError(400, `requests.${i}.custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'`);
    if (seen.has(r.custom_id)) throw new SimError(400, `requests: custom_id values must be unique within a batch, found duplicate '${r.custom_id}'`);
    seen.add(r.custom_id);
    if (typeof r.params !== 'object' || r.params === null) throw new SimError(400, `requests.${i}.params: Field required`);
  });
  const model = (requests[0].params as { model?: unknown }).model;
  const fault = ctx.sim.faults.takeBatch(ctx.route, typeof model === 'string' ? model : undefined);
  const batch = ctx.sim.anthropicBatches.create(
    requests.map((r: BatchRequest) => ({ custom_id: r.custom_id, params: r.params })),
    publicBaseUrl(ctx.req),
    fault,
  );
  ctx.sim.log.debug({ batch: batch.id, requests: requests.length, fault }, 'anthropic batch created');
  sendJson(ctx.res, 200, batch, anthropicHeaders(ctx.requestId));
}

export function handleRetrieveMessageBatch(ctx: RequestContext): void {
  sendJson(ctx.res, 200, ctx.sim.anthropicBatches.get(ctx.params.id), anthropicHeaders(ctx.requestId));
}

export function handleCancelMessageBatch(ctx: RequestContext): void {
  sendJson(ctx.res, 200, ctx.sim.anthropicBatches.cancel(ctx.params.id), anthropicHeaders(ctx.requestId));
}

export function handleDeleteMessageBatch(ctx: RequestContext): void {
  ctx.sim.anthropicBatches.delete(ctx.params.id);
  sendJson(ctx.res, 200, { id: ctx.params.id, type: 'message_batch_deleted' }, anthropicHeaders(ctx.requestId));
}

/** Newest first; `after_id` pages towards older batches, `before_id` towards newer ones. */
export function handleListMessageBatches(ctx: RequestContext): void {
  const limit = intParam(ctx.query.get('limit'), 20, 1, 1000, 'limit');
  const afterId = ctx.query.get('after_id');
  const beforeId = ctx.query.get('before_id');
  const all = ctx.sim.anthropicBatches.list();
  let page: MessageBatchObject[];
  let hasMore: boolean;
  if (beforeId) {
    const at = all.findIndex((b) => b.id === beforeId);
    const newer = at >= 0 ? all.slice(0, at) : [];
    page = newer.slice(Math.max(0, newer.length - limit));
    hasMore = newer.length > page.length;
  } else {
    const at = afterId ? all.findIndex((b) => b.id === afterId) : -1;
    const older = afterId ? (at >= 0 ? all.slice(at + 1) : []) : all;
    page = older.slice(0, limit);
    hasMore = older.length > page.length;
  }
  sendJson(ctx.res, 200, { data: page, has_more: hasMore, first_id: page[0]?.id ?? null, last_id: page[page.length - 1]?.id ?? null }, anthropicHeaders(ctx.requestId));
}

/** JSONL of `{custom_id, result}`, streamed in bounded chunks. */
export async function handleMessageBatchResults(ctx: RequestContext): Promise<void> {
  const lines = ctx.sim.anthropicBatches.results(ctx.params.id);
  const { res } = ctx;
  res.writeHead(200, { 'content-type': 'application/binary', ...anthropicHeaders(ctx.requestId) });
  for (let i = 0; i < lines.length; i += 1000) if (!(await writeChunk(res, lines.slice(i, i + 1000).join('\n') + '\n'))) return;
  res.end();
}
