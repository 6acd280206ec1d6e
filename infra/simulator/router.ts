import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestContext, SimState } from './context';
import { SimError, errorBody, faultMessage, rateLimitHeaders, type Provider } from './errors';
import { readBody, sendJson, sleep } from './http';
import { randomHex, randomId } from './prng';
import { ROUTES, type Route } from './routes';

/**
 * The request pipeline every provider call goes through: route match, auth
 * (any non-empty key), JSON body, fault rules and latency, then the handler;
 * any SimError becomes the provider's error body. Kept allocation-light: the
 * simulator is the baseline in latency benchmarks.
 */

const STATIC = new Map<string, Route>();
const DYNAMIC: { route: Route; regex: RegExp; keys: string[] }[] = [];
for (const route of ROUTES) {
  if (!route.path.includes(':')) STATIC.set(`${route.method} ${route.path}`, route);
  else {
    const keys: string[] = [];
    const regex = new RegExp(`^${route.path.replace(/:([a-z_]+)/g, (_, k: string) => (keys.push(k), '([^/]+)'))}$`);
    DYNAMIC.push({ route, regex, keys });
  }
}

function findRoute(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
  const route = STATIC.get(`${method} ${path}`);
  if (route) return { route, params: {} };
  for (const d of DYNAMIC) {
    if (d.route.method !== method) continue;
    const m = d.regex.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    d.keys.forEach((k, i) => (params[k] = decodeURIComponent(m[i + 1])));
    return { route: d.route, params };
  }
  return undefined;
}

/** Open responses of requests a `hang` fault swallowed; destroyed on reset/close. */
export type HangingSet = Set<ServerResponse>;

export async function handleProviderRequest(sim: SimState, hanging: HangingSet, req: IncomingMessage, res: ServerResponse, path: string, search: string): Promise<void> {
  const method = req.method ?? 'GET';
  const found = findRoute(method, path);
  const provider: Provider = found ? (found.route.providerFor?.(req) ?? found.route.provider) : path.startsWith('/v1/messages') ? 'anthropic' : 'openai';
  const requestId = provider === 'openai' ? randomHex('req_', 32) : randomId('req_011', 21);
  sim.stats.request(found?.route.path ?? path);
  let bodyConsumed = false;
  try {
    if (!found) {
      throw provider === 'openai' ? new SimError(404, `Invalid URL (${method} ${path})`) : new SimError(404, 'Not Found');
    }
    checkAuth(provider, req);
    const { route, params } = found;
    let raw: string | undefined;
    let body: unknown;
    if (method === 'POST' && !route.multipart) {
      raw = await readBody(req);
      bodyConsumed = true;
      if (raw.length) body = parseJson(provider, raw);
    }
    const model = typeof (body as { model?: unknown } | undefined)?.model === 'string' ? (body as { model: string }).model : undefined;
    const fault = sim.faults.takeHttp(path, model, raw);
    const latency = sim.faults.latencyMs + (fault?.latencyMs ?? 0);
    if (fault?.hang) {
      sim.stats.fault();
      if (!bodyConsumed) req.resume();
      hanging.add(res);
      res.once('close', () => hanging.delete(res));
      return;
    }
    if (latency > 0) await sleep(latency);
    if (fault?.status) {
      sim.stats.fault();
      const retryAfter = fault.retryAfterSeconds ?? (fault.status === 429 ? 1 : undefined);
      const headers = fault.status === 429 ? rateLimitHeaders(provider, retryAfter ?? 1) : retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : undefined;
      throw new SimError(fault.status, fault.message ?? faultMessage(provider, fault.status, model, retryAfter), {
        headers,
        code: provider === 'openai' && fault.status === 429 ? 'rate_limit_exceeded' : undefined,
      });
    }
    if (fault?.answer) sim.stats.fault();
    const ctx: RequestContext = { req, res, sim, provider, route: route.path, params, query: new URLSearchParams(search), body, requestId, answerOverride: fault?.answer };
    await route.handler(ctx);
  } catch (err) {
    if (!bodyConsumed && !req.readableEnded) req.resume();
    const error = err instanceof SimError ? err : internalError(sim, err);
    const idHeader: Record<string, string> = provider === 'openai' ? { 'x-request-id': requestId } : { 'request-id': requestId };
    sendJson(res, error.status, errorBody(provider, error, requestId), { ...idHeader, ...error.details.headers });
  }
}

function checkAuth(provider: Provider, req: IncomingMessage): void {
  const bearer = /^Bearer\s+(\S+)/i.exec(req.headers.authorization ?? '')?.[1];
  if (provider === 'openai') {
    if (!bearer) throw new SimError(401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).");
    return;
  }
  const key = req.headers['x-api-key'];
  if (!(typeof key === 'string' && key.trim()) && !bearer) throw new SimError(401, 'x-api-key header is required');
  if (!req.headers['anthropic-version']) throw new SimError(400, 'anthropic-version: header is required');
}

function parseJson(provider: Provider, raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw new SimError(
      400,
      provider === 'openai'
        ? "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)"
        : 'There was an error parsing the body of your request: invalid JSON.',
    );
  }
}

function internalError(sim: SimState, err: unknown): SimError {
  sim.log.error({ err }, 'simulator handler failed');
  return new SimError(500, 'The server had an error while processing your request.');
}
