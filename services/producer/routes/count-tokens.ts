import { Router, type Request } from 'express';
import { ApiError } from '../../../shared/core/errors/api-error';
import { ProviderError } from '../../../shared/core/errors/provider-error';
import { estimateRequestTokens } from '../../../shared/levers/context/token-estimate';
import type { Platform } from '../../../shared/runtime/platform';
import { jobErrorToAnthropic } from '../../../shared/surfaces/messages/errors';
import { CountTokensBodySchema, type MessagesBody } from '../../../shared/surfaces/messages/request-schema';
import { messagesBodyToChatRequest, withAnthropicHeaders } from '../../../shared/surfaces/messages/to-internal';

/**
 * POST /v1/messages/count_tokens: Anthropic's own count for a model whose
 * provider can count (Anthropic), Parsimony's estimate for the others and for
 * "auto" (the model is only known once routed). The answer is
 * `{ input_tokens }` either way.
 */
export function countTokensRouter(platform: Platform): Router {
  const router = Router();
  router.post('/v1/messages/count_tokens', async (req, res) => {
    const body = CountTokensBodySchema.parse(req.body ?? undefined);
    const request = withAnthropicHeaders(messagesBodyToChatRequest({ ...body, max_tokens: body.max_tokens ?? 1 } as MessagesBody), (name) => headerValue(req, name));
    const model = body.model === 'auto' ? undefined : platform.catalog.find(body.model);
    if (body.model !== 'auto' && !model) throw ApiError.invalid(`model "${body.model}" is not in the catalog; use "auto" or a catalog model id`);
    const adapter = model && platform.providers.has(model.provider) ? platform.providers.get(model.provider) : undefined;
    if (!model || !adapter?.countTokens) {
      res.json({ input_tokens: estimateRequestTokens(request) });
      return;
    }
    try {
      res.json({ input_tokens: await adapter.countTokens(request, model) });
    } catch (err) {
      if (!(err instanceof ProviderError)) throw err;
      const { status, body: errorBody } = jobErrorToAnthropic({ type: 'provider_error', message: err.message, provider_status: err.status });
      res.status(status).json(errorBody);
    }
  });
  return router;
}

function headerValue(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
