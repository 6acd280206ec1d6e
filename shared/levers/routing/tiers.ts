import { TIERS, type Catalog, type ModelEntry, type Tier } from '../../core/catalog/catalog';
import type { ChatRequest } from '../../core/chat-model';

export const tierRank = (tier: Tier): number => TIERS.indexOf(tier);
export const maxTier = (a: Tier, b: Tier): Tier => (tierRank(a) >= tierRank(b) ? a : b);
export const minTier = (a: Tier, b: Tier): Tier => (tierRank(a) <= tierRank(b) ? a : b);

type Capability = ModelEntry['capabilities'][number];

/** Capabilities a model must have to serve this request at all. */
export function requiredCapabilities(request: ChatRequest): Capability[] {
  const caps: Capability[] = [];
  if (request.tools?.length) caps.push('tools');
  if (request.response_format?.type === 'json_schema') caps.push('json_schema');
  if (request.messages.some((m) => m.role !== 'tool' && m.content.some((p) => p.type === 'image'))) caps.push('vision');
  if ((request.n ?? 1) > 1) caps.push('n');
  if (request.logprobs) caps.push('logprobs');
  return caps;
}

export interface TierModelChoice {
  model: ModelEntry;
  /** Why this model, for the decision's reason. */
  why: string;
}

/**
 * The catalog model for a tier: the policy's pinned model if any; else the
 * cheapest model of that tier from the preferred provider; else the cheapest
 * of the tier from any provider. Only models with the capabilities the
 * request needs are candidates. Returns undefined when the tier has none.
 */
export function modelForTier(catalog: Catalog, tier: Tier, provider: string, caps: Capability[], pinned?: string): TierModelChoice | undefined {
  if (pinned) {
    const model = catalog.find(pinned);
    if (model && caps.every((c) => model.capabilities.includes(c))) return { model, why: `pinned by policy for ${tier}` };
  }
  const capable = (m: ModelEntry) => caps.every((c) => m.capabilities.includes(c));
  const own = catalog.forTier(tier, provider).filter(capable);
  if (own.length) return { model: own[0], why: `cheapest ${tier} of ${provider}` };
  const any = catalog.forTier(tier).filter(capable);
  if (any.length) return { model: any[0], why: `cheapest ${tier} (no capable ${provider} ${tier} model)` };
  return undefined;
}

/**
 * The model for `tier`, moving up a tier (then down) when the tier has no
 * capable model, so a request is never sent to a model that cannot serve it.
 */
export function resolveTierModel(catalog: Catalog, tier: Tier, provider: string, caps: Capability[], pinned: Partial<Record<Tier, string>> = {}): TierModelChoice & { tier: Tier } {
  const rank = tierRank(tier);
  const order = [...TIERS.slice(rank), ...TIERS.slice(0, rank).reverse()];
  for (const t of order) {
    const choice = modelForTier(catalog, t, provider, caps, pinned[t]);
    if (choice) return { ...choice, tier: t, why: t === tier ? choice.why : `${choice.why}; no capable ${tier} model` };
  }
  throw new Error(`no model in the catalog can serve this request (needs ${caps.join(', ') || 'nothing special'})`);
}
