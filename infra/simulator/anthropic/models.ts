import { Catalog } from '../../../shared/core/catalog/catalog';
import { ApiError } from '../../../shared/core/errors/api-error';
import { anthropicModelPage, displayName, type AnthropicModelInfo } from '../../../shared/surfaces/messages/models-page';
import type { RequestContext } from '../context';
import { SimError } from '../errors';
import { sendJson } from '../http';
import { anthropicHeaders } from './headers';

/**
 * GET /v1/models and /v1/models/:id as Anthropic serves them: the Claude
 * models of the shared catalog, newest first, paged by limit / after_id /
 * before_id. `created_at` is the catalog's date (it holds no release dates).
 */
let models: AnthropicModelInfo[] | undefined;

function claudeModels(): AnthropicModelInfo[] {
  if (!models) {
    const catalog = Catalog.load();
    const created = new Date(`${catalog.file.prices_checked}T00:00:00Z`).toISOString();
    models = catalog.models
      .filter((m) => m.provider === 'anthropic')
      .map((m) => ({ type: 'model' as const, id: m.provider_model ?? m.id, display_name: displayName(m.id), created_at: created }))
      .reverse();
  }
  return models;
}

export function handleListAnthropicModels(ctx: RequestContext): void {
  try {
    const q = ctx.query;
    const page = anthropicModelPage(claudeModels(), { limit: q.get('limit') ?? undefined, after_id: q.get('after_id') ?? undefined, before_id: q.get('before_id') ?? undefined });
    sendJson(ctx.res, 200, page, anthropicHeaders(ctx.requestId));
  } catch (err) {
    if (err instanceof ApiError) throw new SimError(err.status, err.message);
    throw err;
  }
}

export function handleRetrieveAnthropicModel(ctx: RequestContext): void {
  const model = claudeModels().find((m) => m.id === ctx.params.id);
  if (!model) throw new SimError(404, `model: ${ctx.params.id}`);
  sendJson(ctx.res, 200, model, anthropicHeaders(ctx.requestId));
}
