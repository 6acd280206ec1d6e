import type { RequestContext, SimState } from '../context';
import { SimError, invalidParam } from '../errors';
import { sendJson } from '../http';
import { countTokens } from '../tokens';
import { openAIHeaders } from './headers';

/**
 * POST /v1/embeddings. Vectors are deterministic and roughly semantic:
 * feature-hashed words and character trigrams, L2-normalised, so texts that
 * share words have a higher cosine similarity (enough for cache tests), and
 * the same text always gets the same vector.
 */

export const NATIVE_DIMENSIONS: Record<string, number> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
};
const MAX_INPUTS = 2048;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw JSON from the wire
type Body = Record<string, any>;

export function runEmbeddings(sim: SimState, raw: unknown, batch: boolean) {
  const body = (raw ?? {}) as Body;
  if (!body.model) throw invalidParam('you must provide a model parameter');
  if (body.input === undefined || body.input === null) throw invalidParam("Missing required parameter: 'input'.", 'input', 'missing_required_parameter');
  const inputs = normaliseInputs(body.input);
  const native = NATIVE_DIMENSIONS[body.model] ?? 1536;
  let dims = native;
  if (body.dimensions !== undefined && body.dimensions !== null) {
    if (body.model === 'text-embedding-ada-002') throw invalidParam('This model does not support specifying dimensions.', 'dimensions');
    if (!Number.isInteger(body.dimensions) || body.dimensions < 1 || body.dimensions > native)
      throw invalidParam(`Invalid value for 'dimensions' = ${body.dimensions}. Must be between 1 and ${native}.`, 'dimensions', 'invalid_value');
    dims = body.dimensions;
  }
  const format = body.encoding_format ?? 'float';
  if (format !== 'float' && format !== 'base64') throw invalidParam(`Invalid value: '${format}'. Supported values are: 'float' and 'base64'.`, 'encoding_format', 'invalid_value');

  let tokens = 0;
  const data = inputs.map((input, index) => {
    tokens += typeof input === 'string' ? countTokens(input) : input.length;
    const vector = embed(typeof input === 'string' ? input : input.join(' '), dims);
    const embedding = format === 'base64' ? Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64') : Array.from(vector);
    return { object: 'embedding', index, embedding };
  });
  sim.stats.call('embeddings', body.model, { input: tokens, output: 0, cachedRead: 0, cacheWrite: 0 }, batch);
  return { object: 'list', data, model: body.model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
}

export function handleEmbeddings(ctx: RequestContext): void {
  const started = Date.now();
  sendJson(ctx.res, 200, runEmbeddings(ctx.sim, ctx.body, false), openAIHeaders(ctx.requestId, started));
}

function normaliseInputs(input: unknown): (string | number[])[] {
  const invalid = () => invalidParam("'$.input' is invalid. Please check the API reference.", 'input');
  if (typeof input === 'string') {
    if (input.length === 0) throw invalid();
    return [input];
  }
  if (!Array.isArray(input) || input.length === 0) throw invalid();
  if (input.length > MAX_INPUTS) throw new SimError(400, `'$.input' is invalid: at most ${MAX_INPUTS} inputs per request.`, { param: 'input' });
  if (input.every((x) => typeof x === 'number')) return [input as number[]];
  return input.map((x) => {
    if (typeof x === 'string' && x.length > 0) return x;
    if (Array.isArray(x) && x.length > 0 && x.every((t) => typeof t === 'number')) return x as number[];
    throw invalid();
  });
}

/** Feature-hashed bag of words and trigrams, normalised to unit length. */
export function embed(text: string, dims: number): Float32Array {
  const v = new Float32Array(dims);
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  for (const w of words) {
    add(v, w, 1);
    if (w.length > 3) for (let i = 0; i + 3 <= w.length; i++) add(v, `#${w.slice(i, i + 3)}`, 0.35);
  }
  let norm = 0;
  for (let i = 0; i < dims; i++) norm += v[i] * v[i];
  if (norm === 0) {
    // Punctuation-only text still gets a stable, non-zero vector.
    add(v, `raw:${text}`, 1);
    norm = 1;
  }
  const scale = 1 / Math.sqrt(norm);
  for (let i = 0; i < dims; i++) v[i] *= scale;
  return v;
}

function add(v: Float32Array, feature: string, weight: number): void {
  const h = fnv1a(feature, 0x811c9dc5);
  const sign = fnv1a(feature, 0x01000193) & 1 ? 1 : -1;
  v[h % v.length] += sign * weight;
}

function fnv1a(text: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
