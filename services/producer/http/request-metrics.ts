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
  const histogram = parsimonyMetrics().httpDuration;
  return (req, res, next) => {
    const started = performance.now();
    res.once('finish', () => {
      histogram.observe({ method: req.method, route: routeLabel(req, res.statusCode), status: String(res.statusCode) }, (performance.now() - started) / 1000);
    });
    next();
  };
}

function routeLabel(req: Request, status: number): string {
  const pattern = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof pattern === 'string') return `${req.baseUrl}${pattern}`;
  // Mounted sub-apps without route objects (bull-board's static files) are labelled by their mount point.
  if (req.baseUrl) return `${req.baseUrl}/*`;
  return status === 404 ? 'unmatched' : 'pre_route';
}
