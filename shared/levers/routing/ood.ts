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

  constructor(
    centroids: readonly (readonly number[])[],
    readonly threshold: number,
    /** Share of held-out in-distribution prompts that fire (measured when the threshold was chosen). */
    readonly fireRate: number,
  ) {
    this.centroids = centroids.map((c) => Float32Array.from(c));
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

  isOut(embedding: Float32Array): { out: boolean; similarity: number } {
    const similarity = this.similarity(embedding);
    return { out: similarity < this.threshold, similarity };
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
