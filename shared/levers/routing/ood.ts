/**
 * "Does the router know this kind of prompt?": the cosine between a prompt's
 * sentence embedding and the nearest centroid of the training rows'
 * embeddings. Below the threshold the prompt is out of the training
 * distribution and the score is not trusted (router.ts sends it to the
 * frontier, or the tenant's max_tier). The threshold is not hand-set: the
 * training script picks it by leave-one-domain-out so that held-out but
 * in-distribution prompts fire at a chosen rate (weights.json `ood`).
 */
export class OodDetector {
  private readonly centroids: Float32Array[];
  /** The centroids back to back (dims each), for the decision's check. */
  private readonly flat: Float32Array;
  private readonly dims: number;
  /** The centroid the last in-distribution prompt was matched by, tried first (prompts come in runs of one kind). */
  private lastHit = 0;

  constructor(
    centroids: readonly (readonly number[])[],
    readonly threshold: number,
    /** Share of held-out in-distribution prompts that fire (measured when the threshold was chosen). */
    readonly fireRate: number,
  ) {
    this.centroids = centroids.map((c) => Float32Array.from(c));
    this.dims = this.centroids[0]?.length ?? 0;
    this.flat = new Float32Array(this.centroids.length * this.dims);
    this.centroids.forEach((c, j) => this.flat.set(c, j * this.dims));
  }

  /** Cosine to the nearest centroid (embeddings and centroids are unit vectors). */
  similarity(embedding: Float32Array): number {
    let best = -1;
    for (const c of this.centroids) {
      let s = 0;
      for (let i = 0; i < c.length; i++) s += c[i] * embedding[i];
      if (s > best) best = s;
    }
    return best;
  }

  /**
   * Whether the prompt is out of distribution (its nearest centroid below the threshold), with that
   * nearest cosine when it is. The same answer as comparing `similarity` with the threshold (each cosine
   * is summed in the same order), but an in-distribution prompt stops at the first centroid that reaches
   * the threshold: usually the one that matched the last prompt, so one dot product instead of 48.
   */
  isOut(embedding: Float32Array): { out: true; similarity: number } | { out: false } {
    const k = this.centroids.length;
    const first = this.lastHit;
    let best = -1;
    for (let n = 0; n < k; n++) {
      const j = n === 0 ? first : n <= first ? n - 1 : n;
      const s = this.dot(j, embedding);
      if (s >= this.threshold) {
        this.lastHit = j;
        return { out: false };
      }
      if (s > best) best = s;
    }
    return best < this.threshold ? { out: true, similarity: best } : { out: false };
  }

  /** Centroid j · embedding, summed in index order like `similarity` (four terms a step, one running sum). */
  private dot(j: number, e: Float32Array): number {
    const c = this.flat;
    const dims = this.dims;
    const base = j * dims;
    let s = 0;
    let i = 0;
    for (; i + 4 <= dims; i += 4) {
      s += c[base + i] * e[i];
      s += c[base + i + 1] * e[i + 1];
      s += c[base + i + 2] * e[i + 2];
      s += c[base + i + 3] * e[i + 3];
    }
    for (; i < dims; i++) s += c[base + i] * e[i];
    return s;
  }
}

/** Spherical k-means (cosine), deterministic: seeds spread by farthest-point from the first row. */
export function sphericalKMeans(vectors: readonly Float32Array[], k: number, iterations = 15): Float32Array[] {
  const dims = vectors[0].length;
  const centroids: Float32Array[] = [Float32Array.from(vectors[0])];
  const bestSim = vectors.map((v) => cosine(v, centroids[0]));
  while (centroids.length < Math.min(k, vectors.length)) {
    let far = 0;
    for (let i = 1; i < vectors.length; i++) if (bestSim[i] < bestSim[far]) far = i;
    const c = Float32Array.from(vectors[far]);
    centroids.push(c);
    vectors.forEach((v, i) => (bestSim[i] = Math.max(bestSim[i], cosine(v, c))));
  }
  const assign = new Int32Array(vectors.length);
  for (let it = 0; it < iterations; it++) {
    vectors.forEach((v, i) => {
      let best = 0;
      let bestS = -2;
      centroids.forEach((c, j) => {
        const s = cosine(v, c);
        if (s > bestS) [bestS, best] = [s, j];
      });
      assign[i] = best;
    });
    const sums = centroids.map(() => new Float32Array(dims));
    vectors.forEach((v, i) => {
      const s = sums[assign[i]];
      for (let d = 0; d < dims; d++) s[d] += v[d];
    });
    sums.forEach((s, j) => {
      let n = 0;
      for (let d = 0; d < dims; d++) n += s[d] * s[d];
      if (n > 0) centroids[j] = s.map((x) => x / Math.sqrt(n));
    });
  }
  return centroids;
}

function cosine(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
