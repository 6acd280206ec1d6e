import type { RequestContext } from '../context';
import { SimError } from '../errors';
import { sendJson } from '../http';
import { knownModels } from '../model-limits';
import { NATIVE_DIMENSIONS } from './embeddings';
import { openAIHeaders } from './headers';

/**
 * GET /v1/models and GET /v1/models/:id, OpenAI's shape: every chat model
 * the simulator knows (the catalog's ids and aliases) and its embedding
 * models, owned by "system" as OpenAI lists its own models. `created` is a
 * fixed time so the list is stable.
 */
const CREATED = 1_767_225_600; // 2026-01-01T00:00:00Z

function modelIds(): string[] {
  return [...new Set([...knownModels(), ...Object.keys(NATIVE_DIMENSIONS)])];
}

const modelObject = (id: string) => ({ id, object: 'model', created: CREATED, owned_by: 'system' });

export function handleListModels(ctx: RequestContext): void {
  sendJson(ctx.res, 200, { object: 'list', data: modelIds().map(modelObject) }, openAIHeaders(ctx.requestId, Date.now()));
}

export function handleRetrieveModel(ctx: RequestContext): void {
  const id = ctx.params.id;
  if (!modelIds().includes(id)) throw new SimError(404, `The model '${id}' does not exist`, { type: 'invalid_request_error', param: 'model', code: 'model_not_found' });
  sendJson(ctx.res, 200, modelObject(id), openAIHeaders(ctx.requestId, Date.now()));
}
