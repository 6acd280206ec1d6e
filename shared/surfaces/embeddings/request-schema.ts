import { z } from 'zod';
import type { EmbeddingCreateParams } from 'openai/resources/embeddings';

/**
 * OpenAI's `POST /v1/embeddings` body as Parsimony accepts it: strict like
 * chat completions (an unknown key is a 400), with OpenAI's own limits
 * (2,048 inputs per request, no empty strings).
 */
const MAX_INPUTS = 2048;
const tokenArray = z.array(z.number().int().nonnegative()).min(1);

export const EmbeddingsBodySchema = z
  .object({
    model: z.string().min(1, 'model is required: an embedding model of the catalog'),
    input: z.union([
      z.string().min(1, 'input must not be empty'),
      z.array(z.string().min(1, 'an input must not be empty')).min(1).max(MAX_INPUTS),
      tokenArray,
      z.array(tokenArray).min(1).max(MAX_INPUTS),
    ]),
    dimensions: z.number().int().positive().optional(),
    encoding_format: z.enum(['float', 'base64']).optional(),
    user: z.string().optional(),
  })
  .strict();

export type EmbeddingsBody = z.infer<typeof EmbeddingsBodySchema>;

/** Compile-time check: every field of the installed SDK's embeddings request is accepted. */
type MissingSdkFields = Exclude<keyof EmbeddingCreateParams, keyof EmbeddingsBody>;
const everySdkFieldAccepted: [MissingSdkFields] extends [never] ? true : MissingSdkFields = true;
void everySdkFieldAccepted;
