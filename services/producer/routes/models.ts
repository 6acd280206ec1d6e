import { Router } from 'express';
import { ApiError } from '../../../shared/core/errors/api-error';
import { catalogModelObject, catalogModelObjects } from '../../../shared/core/catalog/model-list';
import type { Catalog } from '../../../shared/core/catalog/catalog';

/**
 * GET /v1/models and GET /v1/models/:id in OpenAI's shape: the catalog's
 * models plus `auto` (what `client.models.list()` shows at start-up or as a
 * health check). The Anthropic-shaped list, for requests carrying
 * `anthropic-version`, is a router of the Messages surface mounted before
 * this one.
 */
export function modelsRouter(catalog: Catalog): Router {
  const router = Router();
  router.get('/v1/models', (_req, res) => {
    res.json({ object: 'list', data: catalogModelObjects(catalog) });
  });
  router.get('/v1/models/:id', (req, res) => {
    const model = catalogModelObject(catalog, req.params.id);
    if (!model) throw ApiError.notFound(`model ${req.params.id}`);
    res.json(model);
  });
  return router;
}
