import type { RequestContext } from '../context';
import { SimError, invalidParam } from '../errors';
import { intParam, sendJson } from '../http';
import { SUPPORTED_ENDPOINTS, notFound } from './batches';
import { fileLines } from './file-store';
import { openAIHeaders } from './headers';

/** HTTP side of /v1/batches: create, retrieve, list (cursor `after`), cancel. */

export function handleCreateBatch(ctx: RequestContext): void {
  const body = (ctx.body ?? {}) as Record<string, unknown>;
  for (const key of ['input_file_id', 'endpoint', 'completion_window'])
    if (body[key] === undefined || body[key] === null) throw invalidParam(`Missing required parameter: '${key}'.`, key, 'missing_required_parameter');
  const endpoint = String(body.endpoint);
  if (!SUPPORTED_ENDPOINTS.includes(endpoint))
    throw invalidParam(`Invalid value: '${endpoint}'. Supported values are: ${SUPPORTED_ENDPOINTS.map((e) => `'${e}'`).join(' and ')}.`, 'endpoint', 'invalid_value');
  if (body.completion_window !== '24h') throw invalidParam(`Invalid value: '${String(body.completion_window)}'. Supported values are: '24h'.`, 'completion_window', 'invalid_value');
  const metadata = validateMetadata(body.metadata);
  const file = ctx.sim.files.get(String(body.input_file_id));
  if (!file) throw new SimError(404, `No such File object: ${String(body.input_file_id)}`, { param: 'input_file_id' });
  if (file.purpose !== 'batch') throw invalidParam(`The input file ${file.id} must have purpose 'batch', but has purpose '${file.purpose}'.`, 'input_file_id', 'invalid_value');
  const fault = ctx.sim.faults.takeBatch(ctx.route, firstModel(file.chunks));
  const batch = ctx.sim.openaiBatches.create(file, endpoint, metadata, fault);
  ctx.sim.log.debug({ batch: batch.id, fault }, 'openai batch created');
  sendJson(ctx.res, 200, batch, openAIHeaders(ctx.requestId, Date.now()));
}

export function handleRetrieveBatch(ctx: RequestContext): void {
  const batch = ctx.sim.openaiBatches.get(ctx.params.id);
  if (!batch) throw notFound(ctx.params.id);
  sendJson(ctx.res, 200, batch, openAIHeaders(ctx.requestId, Date.now()));
}

export function handleCancelBatch(ctx: RequestContext): void {
  sendJson(ctx.res, 200, ctx.sim.openaiBatches.cancel(ctx.params.id), openAIHeaders(ctx.requestId, Date.now()));
}

export function handleListBatches(ctx: RequestContext): void {
  const limit = intParam(ctx.query.get('limit'), 20, 1, 100, 'limit');
  const after = ctx.query.get('after');
  let list = ctx.sim.openaiBatches.list();
  if (after) {
    const at = list.findIndex((b) => b.id === after);
    list = at >= 0 ? list.slice(at + 1) : [];
  }
  const page = list.slice(0, limit);
  sendJson(
    ctx.res,
    200,
    { object: 'list', data: page, first_id: page[0]?.id ?? null, last_id: page[page.length - 1]?.id ?? null, has_more: list.length > page.length },
    openAIHeaders(ctx.requestId, Date.now()),
  );
}

function validateMetadata(value: unknown): Record<string, string> | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidParam("Invalid type for 'metadata': expected an object.", 'metadata', 'invalid_type');
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > 16) throw invalidParam("Invalid 'metadata': too many properties. Expected an object with at most 16 properties.", 'metadata', 'object_above_max_properties');
  for (const [k, v] of entries) {
    if (k.length > 64) throw invalidParam(`Invalid 'metadata': key '${k}' is longer than 64 characters.`, 'metadata', 'invalid_value');
    if (typeof v !== 'string' || v.length > 512) throw invalidParam(`Invalid 'metadata.${k}': expected a string of at most 512 characters.`, `metadata.${k}`, 'invalid_value');
  }
  return value as Record<string, string>;
}

/** The model of the first request line, so batch fault rules can match on model. */
function firstModel(chunks: Buffer[]): string | undefined {
  for (const { line } of fileLines(chunks)) {
    try {
      const model = JSON.parse(line)?.body?.model;
      return typeof model === 'string' ? model : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
