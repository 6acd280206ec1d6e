/**
 * Turns texts into unit-length vectors. Implementations: the embedded
 * word-vector model (offline, free) and any OpenAI-compatible endpoint.
 */
export interface EmbedResult {
  /** One unit-length vector per input text. */
  vectors: Float32Array[];
  /** What the call cost (0 for the embedded model); the stage adds it to the job's overhead. */
  costUsd: number;
}

export interface Embedder {
  /** Model name, e.g. "wink-sg-100d-sif" or "text-embedding-3-small". */
  readonly model: string;
  readonly dimensions: number;
  /**
   * Model name + dimension (+ version of the recipe), part of every vector
   * collection / index name so a model change never mixes vectors.
   */
  readonly fingerprint: string;
  /** Cosine threshold calibrated for this model with the guards on (see `npm run cache:calibrate`). */
  readonly defaultThreshold: number;
  /** Whether calls cost money (then the stage hands its query vector to the writer instead of paying twice). */
  readonly paid: boolean;
  embed(texts: string[], signal?: AbortSignal): Promise<EmbedResult>;
  /** Frequency rank of a word in the model's vocabulary, when it has one (used by the guards). */
  rankOf?(word: string): number | undefined;
  /** A word's unit vector, when the model has per-word vectors (the verifier's word alignment). */
  wordVector?(word: string): Float32Array | undefined;
}

/** Fingerprint safe for collection and file names. */
export function fingerprintOf(model: string, dimensions: number, recipe = ''): string {
  return `${model}${recipe ? `-${recipe}` : ''}-${dimensions}d`.toLowerCase().replace(/[^a-z0-9_-]+/g, '-');
}

export function normalise(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i] * v[i];
  n = Math.sqrt(n);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i] /= n;
  return v;
}

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
