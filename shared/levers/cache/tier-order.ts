import { TIERS } from '../../core/catalog/catalog';

/**
 * Whether an answer given by a model of `entryTier` may serve a request routed
 * to `requestTier`: the same tier or a lower one, never a higher one (a small
 * model's answer must not stand in for the frontier model a request was routed
 * to). Tiers outside the catalog's order ("unrouted") only serve their own kind.
 */
export function tierMayServe(entryTier: string, requestTier: string): boolean {
  const e = TIERS.indexOf(entryTier as (typeof TIERS)[number]);
  const r = TIERS.indexOf(requestTier as (typeof TIERS)[number]);
  if (e < 0 || r < 0) return entryTier === requestTier;
  return e >= r;
}

/** Whether an answer of tier `a` is from a strictly higher tier than one of tier `b`. */
export function tierAbove(a: string, b: string): boolean {
  return a !== b && tierMayServe(a, b) && !tierMayServe(b, a);
}
