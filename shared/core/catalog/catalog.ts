import { readFileSync } from 'node:fs';
import { z } from 'zod';
import bundledCatalog from './models.json';
import { REASONING_EFFORTS } from '../chat-model';

export const TIERS = ['small', 'mid', 'frontier'] as const;
export type Tier = (typeof TIERS)[number];

const PriceSchema = z
  .object({
    input: z.number().nonnegative(),
    cached_input: z.number().nonnegative(),
    /** Anthropic's 5-minute cache write (1.25x input); OpenAI charges no write, so there it equals input. */
    cache_write: z.number().nonnegative(),
    /** Anthropic's 1-hour cache write (2x input); defaults to cache_write where the provider has no 1-hour TTL. */
    cache_write_1h: z.number().nonnegative().optional(),
    output: z.number().nonnegative(),
  })
  .strict();

/** Where a model's prices were read and when: every price in the catalog has one. */
const PriceSourceSchema = z
  .object({
    url: z.string().min(1),
    checked: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    /** Caveats: a price read from a third party, a promotion, a figure the page did not show. */
    note: z.string().optional(),
  })
  .strict();

const REASONING_EFFORT = z.enum(REASONING_EFFORTS);

/** A reasoning model: the efforts it accepts and the one it uses when none is given. */
const ReasoningSchema = z
  .object({
    efforts: z.array(REASONING_EFFORT).min(1),
    default_effort: REASONING_EFFORT,
    /** Anthropic: the model thinks with a token budget (extended thinking) rather than an effort. */
    budget_tokens: z.boolean().optional(),
  })
  .strict();

const ModelSchema = z
  .object({
    id: z.string().min(1),
    provider: z.string().min(1),
    /** Model name sent to the provider when it differs from the catalog id. */
    provider_model: z.string().optional(),
    tier: z.enum(TIERS),
    context_window: z.number().int().positive(),
    max_output_tokens: z.number().int().positive(),
    price: PriceSchema,
    price_source: PriceSourceSchema.optional(),
    /** Fraction taken off every price by the provider's batch API (0.5 = half price). */
    batch_discount: z.number().min(0).max(1),
    /** Fraction taken off every price by the provider's flex tier (OpenAI `service_tier: "flex"`); absent = not offered. */
    flex_discount: z.number().min(0).max(1).optional(),
    /** Set for reasoning models. */
    reasoning: ReasoningSchema.optional(),
    /** Other ids the provider accepts for this model (dated snapshots); they resolve to this entry. */
    aliases: z.array(z.string().min(1)).optional(),
    /** Shortest prefix the provider will cache (Anthropic); defaults to 1,024. */
    min_cacheable_tokens: z.number().int().positive().default(1024),
    /** `n`: several choices per request (OpenAI `n`); `logprobs`: token log probabilities (OpenAI's non-reasoning models). */
    capabilities: z.array(z.enum(['tools', 'json_schema', 'vision', 'streaming', 'n', 'logprobs'])),
  })
  .strict();

const EmbeddingModelSchema = z
  .object({
    id: z.string(),
    provider: z.string(),
    dimensions: z.number().int().positive(),
    price: z.object({ input: z.number().nonnegative() }).strict(),
    price_source: PriceSourceSchema.optional(),
  })
  .strict();

/** Per provider, the model each tier resolves to first (today's family); the rest of the tier follows, cheapest first. */
const TierDefaultsSchema = z.record(z.string(), z.object({ small: z.string(), mid: z.string(), frontier: z.string() }).partial().strict());

export const CatalogFileSchema = z
  .object({
    prices_checked: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    prices_note: z.string().optional(),
    defaults: z.object({ frontier: z.string(), auto: z.string(), embedding: z.string(), tiers: TierDefaultsSchema.optional() }).strict(),
    models: z.array(ModelSchema).min(1),
    embeddings: z.array(EmbeddingModelSchema),
  })
  .strict()
  .superRefine((file, ctx) => {
    const ids = new Set(file.models.map((m) => m.id));
    if (ids.size !== file.models.length) ctx.addIssue({ code: 'custom', message: 'model ids must be unique' });
    const frontier = file.models.find((m) => m.id === file.defaults.frontier);
    if (!frontier) ctx.addIssue({ code: 'custom', path: ['defaults', 'frontier'], message: `unknown model ${file.defaults.frontier}` });
    else if (frontier.tier !== 'frontier') ctx.addIssue({ code: 'custom', path: ['defaults', 'frontier'], message: 'must be a frontier-tier model' });
    if (!ids.has(file.defaults.auto)) ctx.addIssue({ code: 'custom', path: ['defaults', 'auto'], message: `unknown model ${file.defaults.auto}` });
    for (const [provider, tiers] of Object.entries(file.defaults.tiers ?? {}))
      for (const [tier, id] of Object.entries(tiers)) {
        const model = file.models.find((m) => m.id === id);
        if (!model || model.provider !== provider || model.tier !== tier)
          ctx.addIssue({ code: 'custom', path: ['defaults', 'tiers', provider, tier], message: `${id} must be a ${provider} model of tier ${tier}` });
      }
    const names = new Set(ids);
    for (const m of file.models)
      for (const alias of m.aliases ?? []) {
        if (names.has(alias)) ctx.addIssue({ code: 'custom', path: ['models'], message: `alias ${alias} of ${m.id} is already a model id or alias` });
        names.add(alias);
      }
    if (!file.embeddings.some((e) => e.id === file.defaults.embedding))
      ctx.addIssue({ code: 'custom', path: ['defaults', 'embedding'], message: `unknown embedding model ${file.defaults.embedding}` });
  });

export type ModelEntry = z.infer<typeof ModelSchema>;
export type EmbeddingModelEntry = z.infer<typeof EmbeddingModelSchema>;
export type CatalogFile = z.infer<typeof CatalogFileSchema>;

/** The model catalog: which models exist, their tier, prices and limits. */
export class Catalog {
  private readonly byId: Map<string, ModelEntry>;

  constructor(readonly file: CatalogFile) {
    this.byId = new Map(file.models.map((m) => [m.id, m]));
    // Dated snapshots and short names resolve to their entry (ids win over aliases).
    for (const m of file.models) for (const alias of m.aliases ?? []) if (!this.byId.has(alias)) this.byId.set(alias, m);
  }

  /** Loads and validates a catalog file; without a path, the catalog shipped in this folder. */
  static load(path?: string): Catalog {
    const raw: unknown = path ? JSON.parse(readFileSync(path, 'utf8')) : bundledCatalog;
    const parsed = CatalogFileSchema.safeParse(raw);
    if (!parsed.success) throw new Error(`model catalog ${path ?? 'shared/core/catalog/models.json'} is invalid: ${z.prettifyError(parsed.error)}`);
    return new Catalog(parsed.data);
  }

  get models(): readonly ModelEntry[] {
    return this.file.models;
  }

  /** The entry for a model id or one of its aliases. */
  find(id: string): ModelEntry | undefined {
    return this.byId.get(id);
  }

  get(id: string): ModelEntry {
    const model = this.byId.get(id);
    if (!model) throw new Error(`model ${id} is not in the catalog`);
    return model;
  }

  /** The model every baseline is priced on: "what you would have paid without Parsimony". */
  get defaultFrontier(): ModelEntry {
    return this.get(this.file.defaults.frontier);
  }

  /** The model `model: "auto"` resolves to before the routing lever decides otherwise. */
  get defaultAuto(): ModelEntry {
    return this.get(this.file.defaults.auto);
  }

  /** Models of a tier, cheapest first (by input + output list price). */
  byTier(tier: Tier, provider?: string): ModelEntry[] {
    const listPrice = (m: ModelEntry) => m.price.input + m.price.output;
    return this.file.models.filter((m) => m.tier === tier && (!provider || m.provider === provider)).sort((a, b) => listPrice(a) - listPrice(b));
  }

  /**
   * Models of a tier in the order routing should try them: the provider's
   * tier default first (`defaults.tiers`: today's family, so a route lands on
   * a current model rather than an older cheaper one), then the rest cheapest
   * first. Without a provider, every provider's tier default comes first.
   */
  forTier(tier: Tier, provider?: string): ModelEntry[] {
    const preferred = new Set(
      Object.entries(this.file.defaults.tiers ?? {})
        .filter(([p]) => !provider || p === provider)
        .map(([, tiers]) => tiers[tier])
        .filter((id): id is string => id !== undefined),
    );
    return this.byTier(tier, provider).sort((a, b) => Number(preferred.has(b.id)) - Number(preferred.has(a.id)));
  }

  /** The provider's default model for a tier (`defaults.tiers`), if the catalog names one. */
  tierDefault(provider: string, tier: Tier): ModelEntry | undefined {
    const id = this.file.defaults.tiers?.[provider]?.[tier];
    return id === undefined ? undefined : this.find(id);
  }

  embedding(id: string): EmbeddingModelEntry | undefined {
    return this.file.embeddings.find((e) => e.id === id);
  }
}
