import { Router } from 'express';
import type { Catalog } from '../../../shared/core/catalog/catalog';
import { anthropicModelPage, displayName, type AnthropicModelInfo } from '../../../shared/surfaces/messages/models-page';

/**
 * GET /v1/models and /v1/models/:id in Anthropic's shape, for requests that
 * carry `anthropic-version` (the Anthropic SDK always sends it): the catalog's
 * models of every provider (a Messages request may name any of them) plus
 * "auto". Other requests go on (`next()`) to the OpenAI-shaped list.
 * `created_at` is the catalog's date: the catalog holds no release dates.
 */
export function anthropicModelsRouter(catalog: Catalog): Router {
  const router = Router();
  const created = new Date(`${catalog.file.prices_checked}T00:00:00Z`).toISOString();
  const models: AnthropicModelInfo[] = ['auto', ...catalog.models.map((m) => m.id)].map((id) => ({ type: 'model', id, display_name: displayName(id), created_at: created }));

  router.get('/v1/models', (req, res, next) => {
    if (req.headers['anthropic-version'] === undefined) return next();
    const q = req.query;
    res.json(anthropicModelPage(models, { limit: stringOf(q.limit), after_id: stringOf(q.after_id), before_id: stringOf(q.before_id) }));
  });
  router.get('/v1/models/:id', (req, res, next) => {
    if (req.headers['anthropic-version'] === undefined) return next();
    const id = catalog.find(req.params.id)?.id ?? (req.params.id === 'auto' ? 'auto' : undefined);
    const model = models.find((m) => m.id === id);
    if (!model) return res.status(404).json({ type: 'error', error: { type: 'not_found_error', message: `model: ${req.params.id}` } });
    res.json(model);
  });
  return router;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
