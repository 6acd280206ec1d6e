import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler } from 'express';
import { parsimonyMetrics } from '../../../shared/platform/metrics/parsimony-metrics';

/**
 * Records every request's latency in parsimony_http_request_duration_seconds,
 * labelled with the express route pattern that handled it (`/v1/jobs/:id`),
 * never the raw path, so job ids do not explode the label set. Requests no
 * route handled are `unmatched` (404) or `pre_route` (refused before routing:
 * authentication, tenant limits, an unreadable body).
 */
export function requestMetrics(): RequestHandler {
  return (req, res, next) => {
    observeRequest(req, res, (status) => routeLabel(req, status));
    next();
  };
}

/**
 * Observes the request's latency when its response finishes; `route` names
 * its label then (the lean ingress passes its hot route or `pre_route`, with
 * the same meaning as express's labels).
 */
export function observeRequest(req: IncomingMessage, res: ServerResponse, route: (status: number) => string): void {
  const histogram = parsimonyMetrics().httpDuration;
  const started = performance.now();
  res.once('finish', () => {
    histogram.observe({ method: req.method, route: route(res.statusCode), status: String(res.statusCode) }, (performance.now() - started) / 1000);
  });
}

function routeLabel(req: Request, status: number): string {
  const pattern = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof pattern === 'string') return `${req.baseUrl}${pattern}`;
  // Mounted sub-apps without route objects (bull-board's static files) are labelled by their mount point.
  if (req.baseUrl) return `${req.baseUrl}/*`;
  return status === 404 ? 'unmatched' : 'pre_route';
}
