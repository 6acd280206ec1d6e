import type { ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { Redis } from 'ioredis';
import { ApiError } from '../../../shared/core/errors/api-error';
import { estimateRequestTokens } from '../../../shared/core/limits/estimate-tokens';
import type { TenantLimits, TenantLimitsPolicy } from '../../../shared/core/limits/tenant-limits';
import { TenantRateLimiter } from '../../../shared/core/limits/tenant-rate-limiter';
import { parsimonyMetrics } from '../../../shared/platform/metrics/parsimony-metrics';
import { tenantOf } from './authenticate';

/** Reads are never limited: polling a job or a report must keep working when a tenant is at its limit. */
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Admission control for /v1 (mount after `authenticate` and the JSON body
 * parser): see `TenantAdmission`. Reads pass untouched.
 */
export function rateLimit(admission: TenantAdmission): RequestHandler {
  return (req, res, next) => {
    if (READ_METHODS.has(req.method)) return next();
    admission.admit(tenantOf(req), req.body, res).then(
      () => next(),
      (err: unknown) => next(err),
    );
  };
}

/**
 * Every request that creates or changes work counts against the tenant's
 * requests/min, its estimated tokens against tokens/min, and none is admitted
 * once today's actual spend reached usd/day. Refusals are 429 ApiErrors with
 * retry-after (413 for a request larger than the tokens/min limit itself); an
 * admitted request carries x-ratelimit-* headers. Shared by the express
 * middleware and the lean ingress.
 */
export class TenantAdmission {
  private readonly limiter: TenantRateLimiter;
  private readonly refused = parsimonyMetrics().rateLimited;

  constructor(
    redis: Redis,
    prefix: string,
    private readonly policy: TenantLimitsPolicy,
  ) {
    this.limiter = new TenantRateLimiter(redis, prefix);
  }

  async admit(tenant: string, body: unknown, res: ServerResponse): Promise<void> {
    const limits = this.policy.for(tenant);
    if (limits.requests_per_minute === undefined && limits.tokens_per_minute === undefined && limits.usd_per_day === undefined) return;
    const tokens = estimateRequestTokens(body);
    const admission = await this.limiter.admit(tenant, limits, tokens);
    if (admission.ok) {
      if (limits.requests_per_minute !== undefined) {
        res.setHeader('x-ratelimit-limit-requests', String(limits.requests_per_minute));
        res.setHeader('x-ratelimit-remaining-requests', String(admission.remaining.requests));
      }
      if (limits.tokens_per_minute !== undefined) {
        res.setHeader('x-ratelimit-limit-tokens', String(limits.tokens_per_minute));
        res.setHeader('x-ratelimit-remaining-tokens', String(admission.remaining.tokens));
      }
      return;
    }
    this.refused.inc({ tenant, limit: admission.limit });
    if (admission.limit === 'request_too_large')
      throw ApiError.tooLarge(
        `request is estimated at ${admission.tokens} tokens, more than tenant ${tenant}'s limit of ${limits.tokens_per_minute} tokens per minute; it can never be admitted, so split or shorten it`,
      );
    throw ApiError.rateLimited(refusal(tenant, admission.limit, limits, admission.spentUsd, admission.retryAfterSeconds), admission.retryAfterSeconds);
  }
}

function refusal(tenant: string, limit: 'requests_per_minute' | 'tokens_per_minute' | 'usd_per_day', limits: TenantLimits, spentUsd: number, retryAfter: number): string {
  if (limit === 'usd_per_day')
    return `daily budget reached for tenant ${tenant}: $${spentUsd.toFixed(4)} spent today (UTC) of $${limits.usd_per_day} per day; new requests are refused until the next UTC day (retry after ${retryAfter} s)`;
  const what = limit === 'requests_per_minute' ? 'requests' : 'tokens';
  return `rate limit reached for tenant ${tenant}: ${limits[limit]} ${what} per minute; retry after ${retryAfter} s`;
}
