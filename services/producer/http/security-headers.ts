import helmet from 'helmet';
import type { RequestHandler } from 'express';

/**
 * Security headers for the dashboard: a Content-Security-Policy that allows
 * only this origin (no inline script or style, no third-party hosts, no
 * framing), plus helmet's defaults (nosniff, HSTS, referrer policy, COOP…).
 * The page and its assets, chart.js included, are all served from here.
 */
export function dashboardSecurityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
  });
}
