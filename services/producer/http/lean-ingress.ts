import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { ApiKeyRing } from '../../../shared/platform/config/api-keys';
import { wantsAnthropicErrors } from '../../../shared/surfaces/messages/errors';
import { headerValue, type HotHandler, type HotRoutes } from './hot-route';
import { tenantFromHeaders } from './authenticate';
import { assertBodyDepth } from './body-depth';
import { sendError } from './error-handler';
import type { TenantAdmission } from './rate-limit';
import { isPlainJsonRequest, readJsonBody } from './read-json-body';
import { observeRequest } from './request-metrics';

export interface LeanIngressOptions {
  /** The hot routes (POST, by exact path). */
  routes: HotRoutes;
  keys: ApiKeyRing;
  /** PARSIMONY_BODY_LIMIT in bytes (`bodyLimitBytes`), the limit express.json applies too. */
  bodyLimit: number;
  /** Per-tenant admission (PARSIMONY_TENANT_LIMITS); undefined when no limits are configured. */
  admission?: TenantAdmission;
  log: Logger;
}

/**
 * The producer's request listener: the hot routes (POST /v1/chat/completions,
 * /v1/responses, /v1/messages, /v1/jobs) are served here on plain node:http —
 * the same steps express would run for them, in the same order (request
 * metrics, authentication, one JSON parse of the raw body under the body
 * limit, the depth limit, tenant admission, the route's own handler, errors
 * in the one shape and Anthropic's for Anthropic callers) without express's
 * router, middleware chain and request/response decoration on every request.
 * Everything else, and any hot-route request whose body express.json would
 * read differently (compressed, another charset), goes to `fallback`
 * (the express app) unchanged.
 */
export function leanIngress(options: LeanIngressOptions, fallback: RequestListener): RequestListener {
  return (req, res) => {
    const handler = req.method === 'POST' ? options.routes.get(pathOf(req.url)) : undefined;
    if (!handler || !isPlainJsonRequest(req)) return fallback(req, res);
    serveHotRoute(options, handler, pathOf(req.url), req, res).catch((err: unknown) => {
      // Only answering the error itself can fail here (everything else is caught inside): drop the connection
      // rather than leave the client waiting, and say why.
      options.log.error({ err, method: req.method, path: pathOf(req.url) }, 'could not answer a failed request');
      res.destroy();
    });
  };
}

async function serveHotRoute(options: LeanIngressOptions, handler: HotHandler, path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // Labelled like express's: refused before the route ran (auth, body, limits) is `pre_route`.
  let routed = false;
  observeRequest(req, res, () => (routed ? path : 'pre_route'));
  try {
    const tenant = tenantFromHeaders(options.keys, req.headers);
    const body = await readJsonBody(req, options.bodyLimit);
    assertBodyDepth(body);
    if (options.admission) await options.admission.admit(tenant, body, res);
    routed = true;
    await handler({ tenant, body, headers: req.headers }, res);
  } catch (err) {
    sendError(res, options.log, err, { method: 'POST', path, anthropic: wantsAnthropicErrors(path, headerValue(req.headers, 'anthropic-version')) });
  }
}

/** The URL's path, without its query. */
function pathOf(url: string | undefined): string {
  if (!url) return '';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
