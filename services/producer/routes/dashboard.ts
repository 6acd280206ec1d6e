import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Router } from 'express';
import { ApiError } from '../../../shared/core/errors/api-error';
import { dashboardSecurityHeaders } from '../http/security-headers';

/**
 * GET /dashboard: the operations page (plain HTML/CSS/JS, no build step) and
 * its assets under /dashboard/assets/, chart.js included, all from this
 * origin so the CSP can allow only 'self'. The page asks for a tenant API key
 * and reads /v1/savings and /v1/queues with it; serving the page itself needs
 * no key (it holds no data).
 */
export function dashboardRouter(): Router {
  const router = Router();
  const root = publicDir();
  if (!root) {
    // An install without the page (e.g. an image that copied only dist/) still runs the API.
    router.get(['/dashboard', '/dashboard/*rest'], () => {
      throw new ApiError(404, 'not_found_error', 'the dashboard files are not installed with this build (services/producer/dashboard/public)');
    });
    return router;
  }
  const assets: Record<string, { path: string; type: string }> = {
    'dashboard.js': { path: join(root, 'dashboard.js'), type: 'text/javascript; charset=utf-8' },
    'charts.js': { path: join(root, 'charts.js'), type: 'text/javascript; charset=utf-8' },
    'dashboard.css': { path: join(root, 'dashboard.css'), type: 'text/css; charset=utf-8' },
    'favicon.svg': { path: join(root, 'favicon.svg'), type: 'image/svg+xml' },
    'chart.js': { path: join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), type: 'text/javascript; charset=utf-8' },
  };

  router.use('/dashboard', dashboardSecurityHeaders());
  router.get('/dashboard', (_req, res) => {
    res.setHeader('cache-control', 'no-store');
    res.type('html').sendFile(join(root, 'index.html'));
  });
  router.get('/dashboard/assets/:file', (req, res) => {
    const asset = assets[String(req.params.file)];
    if (!asset) throw ApiError.notFound(`asset ${req.params.file}`);
    res.setHeader('cache-control', 'no-cache');
    res.setHeader('content-type', asset.type);
    res.sendFile(asset.path);
  });
  return router;
}

/**
 * The static files live next to this source (services/producer/dashboard/public);
 * a build in dist/ finds them in the source tree it was built from.
 */
function publicDir(): string | undefined {
  const candidates = [resolve(__dirname, '../dashboard/public'), resolve(__dirname, '../../../../services/producer/dashboard/public'), resolve(process.cwd(), 'services/producer/dashboard/public')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html')));
}
