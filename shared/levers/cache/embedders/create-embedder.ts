import { z } from 'zod';
import type { Catalog } from '../../../core/catalog/catalog';
import type { Embedder } from './embedder';
import { OpenAIEmbedder } from './openai-embedder';
import { WordVectorEmbedder } from './word-vector-embedder';

/** Embedder choice, e.g. from the environment (CACHE_EMBEDDER, CACHE_EMBEDDING_MODEL, …). */
export const EmbedderConfigSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('embedded'),
    /** Default `${PARSIMONY_DATA_DIR}/embeddings`. */
    dataDir: z.string().optional(),
    maxWords: z.number().int().positive().optional(),
  }),
  z.object({
    kind: z.literal('openai'),
    model: z.string().min(1),
    /** Default: the catalog's dimensions for the model. */
    dimensions: z.number().int().positive().optional(),
    apiKey: z.string().optional(),
    baseURL: z.string().url().optional(),
    /** USD per million tokens; default the catalog price, else 0. */
    pricePerMillionTokens: z.number().nonnegative().optional(),
    threshold: z.number().min(0).max(1).optional(),
  }),
]);
export type EmbedderConfig = z.infer<typeof EmbedderConfigSchema>;

export function createEmbedder(config: EmbedderConfig, catalog?: Catalog): Embedder {
  if (config.kind === 'embedded') return WordVectorEmbedder.load({ dataDir: config.dataDir, maxWords: config.maxWords });
  const known = catalog?.embedding(config.model);
  const dimensions = config.dimensions ?? known?.dimensions;
  if (!dimensions) throw new Error(`embedding model ${config.model}: set its dimensions (not in the catalog)`);
  return new OpenAIEmbedder({
    model: config.model,
    dimensions,
    apiKey: config.apiKey,
    baseURL: config.baseURL,
    pricePerMillionTokens: config.pricePerMillionTokens ?? known?.price.input ?? 0,
    threshold: config.threshold,
  });
}

/** Reads the embedder choice from the environment: CACHE_EMBEDDER=embedded|openai. */
export function embedderConfigFromEnv(env: NodeJS.ProcessEnv = process.env): EmbedderConfig {
  if ((env.CACHE_EMBEDDER ?? 'embedded') === 'embedded') {
    return { kind: 'embedded', dataDir: env.PARSIMONY_DATA_DIR ? `${env.PARSIMONY_DATA_DIR}/embeddings` : undefined };
  }
  return EmbedderConfigSchema.parse({
    kind: 'openai',
    model: env.CACHE_EMBEDDING_MODEL ?? 'text-embedding-3-small',
    dimensions: env.CACHE_EMBEDDING_DIMENSIONS ? Number(env.CACHE_EMBEDDING_DIMENSIONS) : undefined,
    apiKey: env.CACHE_EMBEDDING_API_KEY ?? env.OPENAI_API_KEY,
    baseURL: env.CACHE_EMBEDDING_BASE_URL,
    pricePerMillionTokens: env.CACHE_EMBEDDING_PRICE ? Number(env.CACHE_EMBEDDING_PRICE) : undefined,
  });
}
