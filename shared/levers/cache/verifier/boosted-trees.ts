/**
 * Gradient-boosted shallow trees for the pair verifier (logistic loss, Newton
 * leaf values, histogram splits on per-feature quantile cuts). Plain TS,
 * deterministic (no sampling), so the same data always gives the same model.
 * A tree is stored flat: node k splits on `feature[k]` at `cut[k]` (x < cut goes
 * left to 2k+1, else right to 2k+2); a leaf has feature -1 and its value in `value[k]`.
 */
export interface Tree {
  feature: number[];
  cut: number[];
  value: number[];
}

export interface BoostedOptions {
  /** Number of trees; default 150. */
  rounds?: number;
  /** Tree depth; default 3. */
  depth?: number;
  /** Shrinkage per tree; default 0.1. */
  rate?: number;
  /** L2 penalty on leaf values; default 1. */
  lambda?: number;
  /** Least total Hessian weight in a leaf; default 5. */
  minChild?: number;
  /** Candidate cuts per feature; default 32. */
  bins?: number;
}

export interface BoostedModel {
  bias: number;
  rate: number;
  trees: Tree[];
}

/** Sum of the trees' leaf values for one row (features indexed as in training). */
export function boostedMargin(model: BoostedModel, x: ArrayLike<number>, index?: readonly number[]): number {
  let z = model.bias;
  for (const t of model.trees) {
    let k = 0;
    while (t.feature[k] >= 0) {
      const v = x[index ? index[t.feature[k]] : t.feature[k]];
      k = v < t.cut[k] ? 2 * k + 1 : 2 * k + 2;
    }
    z += model.rate * t.value[k];
  }
  return z;
}

function quantileCuts(values: Float64Array, bins: number): number[] {
  const sorted = Float64Array.from(values).sort();
  const cuts: number[] = [];
  for (let b = 1; b < bins; b++) {
    const v = sorted[Math.floor((b * sorted.length) / bins)];
    if (cuts.length === 0 || v > cuts[cuts.length - 1]) cuts.push(v);
  }
  // Cut strictly above the minimum, so "x < cut" can separate the lowest value from the rest.
  return cuts.filter((c) => c > sorted[0]);
}

export function fitBoosted(rows: Float64Array[], labels: number[], rowWeights: number[], o: BoostedOptions = {}): BoostedModel {
  const rounds = o.rounds ?? 150;
  const depth = o.depth ?? 3;
  const rate = o.rate ?? 0.1;
  const lambda = o.lambda ?? 1;
  const minChild = o.minChild ?? 5;
  const n = rows.length;
  const d = rows[0].length;
  const cuts: number[][] = [];
  // bin[j][i]: index of the first cut above row i's feature j (0 … cuts.length).
  const bin: Uint8Array[] = [];
  for (let j = 0; j < d; j++) {
    const col = Float64Array.from(rows, (r) => r[j]);
    const c = quantileCuts(col, o.bins ?? 32);
    cuts.push(c);
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      let k = 0;
      while (k < c.length && col[i] >= c[k]) k++;
      b[i] = k;
    }
    bin.push(b);
  }
  let wPos = 0;
  let wAll = 0;
  for (let i = 0; i < n; i++) {
    wPos += rowWeights[i] * labels[i];
    wAll += rowWeights[i];
  }
  const p0 = Math.min(Math.max(wPos / wAll, 1e-6), 1 - 1e-6);
  const bias = Math.log(p0 / (1 - p0));
  const margin = new Float64Array(n).fill(bias);
  const g = new Float64Array(n);
  const h = new Float64Array(n);
  const trees: Tree[] = [];
  const nodes = 2 ** (depth + 1) - 1;
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < n; i++) {
      const p = 1 / (1 + Math.exp(-margin[i]));
      g[i] = (p - labels[i]) * rowWeights[i];
      h[i] = Math.max(p * (1 - p), 1e-6) * rowWeights[i];
    }
    const tree: Tree = { feature: new Array<number>(nodes).fill(-1), cut: new Array<number>(nodes).fill(0), value: new Array<number>(nodes).fill(0) };
    const node = new Int32Array(n); // every row starts at the root
    for (let level = 0; level <= depth; level++) {
      const first = 2 ** level - 1;
      const width = 2 ** level;
      const G = new Float64Array(width);
      const H = new Float64Array(width);
      for (let i = 0; i < n; i++) {
        if (node[i] < 0) continue;
        G[node[i] - first] += g[i];
        H[node[i] - first] += h[i];
      }
      for (let k = 0; k < width; k++) tree.value[first + k] = H[k] > 0 ? -G[k] / (H[k] + lambda) : 0;
      if (level === depth) break;
      const best = Array.from({ length: width }, () => ({ gain: 1e-9, feature: -1, bin: 0 }));
      for (let j = 0; j < d; j++) {
        const nb = cuts[j].length + 1;
        if (nb < 2) continue;
        const hg = new Float64Array(width * nb);
        const hh = new Float64Array(width * nb);
        const bj = bin[j];
        for (let i = 0; i < n; i++) {
          if (node[i] < 0) continue;
          const s = (node[i] - first) * nb + bj[i];
          hg[s] += g[i];
          hh[s] += h[i];
        }
        for (let k = 0; k < width; k++) {
          if (H[k] <= 0) continue;
          const parent = (G[k] * G[k]) / (H[k] + lambda);
          let gl = 0;
          let hl = 0;
          for (let b = 0; b < nb - 1; b++) {
            gl += hg[k * nb + b];
            hl += hh[k * nb + b];
            const gr = G[k] - gl;
            const hr = H[k] - hl;
            if (hl < minChild || hr < minChild) continue;
            const gain = (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parent;
            if (gain > best[k].gain) best[k] = { gain, feature: j, bin: b };
          }
        }
      }
      for (let k = 0; k < width; k++) {
        if (best[k].feature < 0) continue;
        tree.feature[first + k] = best[k].feature;
        tree.cut[first + k] = cuts[best[k].feature][best[k].bin];
      }
      for (let i = 0; i < n; i++) {
        if (node[i] < 0) continue;
        const k = node[i];
        const f = tree.feature[k];
        // A node that did not split is a leaf: its rows stop here.
        node[i] = f < 0 ? -1 : bin[f][i] <= cutBin(tree.cut[k], cuts[f]) ? 2 * k + 1 : 2 * k + 2;
      }
    }
    for (let i = 0; i < n; i++) margin[i] += rate * leafValue(tree, rows[i]);
    trees.push(compact(tree));
  }
  return { bias, rate, trees };
}

/** Bin index b such that "bin <= b" is "x < cut" (cut = cuts[b]). */
function cutBin(cut: number, cuts: number[]): number {
  return cuts.indexOf(cut);
}

function leafValue(t: Tree, x: ArrayLike<number>): number {
  let k = 0;
  while (t.feature[k] >= 0) k = x[t.feature[k]] < t.cut[k] ? 2 * k + 1 : 2 * k + 2;
  return t.value[k];
}

/** Rounds cut points and values for a readable, stable JSON (the scorer reads them as they are). */
function compact(t: Tree): Tree {
  const r = (x: number) => Math.round(x * 1e6) / 1e6;
  return { feature: t.feature, cut: t.cut, value: t.value.map(r) };
}

/** Trees laid out in flat typed arrays with feature indices already mapped into the full feature vector (scoring). */
export interface CompiledTrees {
  bias: number;
  rate: number;
  /** Nodes per tree (all trees have the same shape). */
  width: number;
  feature: Int32Array;
  cut: Float64Array;
  value: Float64Array;
}

export function compileTrees(model: BoostedModel, index?: readonly number[]): CompiledTrees {
  const width = Math.max(1, ...model.trees.map((t) => t.feature.length));
  const n = model.trees.length * width;
  const feature = new Int32Array(n).fill(-1);
  const cut = new Float64Array(n);
  const value = new Float64Array(n);
  model.trees.forEach((t, k) => {
    for (let i = 0; i < t.feature.length; i++) {
      const f = t.feature[i];
      feature[k * width + i] = f < 0 ? -1 : index ? index[f] : f;
      cut[k * width + i] = t.cut[i];
      value[k * width + i] = t.value[i];
    }
  });
  return { bias: model.bias, rate: model.rate, width, feature, cut, value };
}

/** boostedMargin over compiled trees (same result, no per-node index look-ups or nested arrays). */
export function compiledMargin(c: CompiledTrees, x: ArrayLike<number>): number {
  let sum = 0;
  for (let base = 0; base < c.feature.length; base += c.width) {
    let k = 0;
    let f = c.feature[base];
    while (f >= 0) {
      k = x[f] < c.cut[base + k] ? 2 * k + 1 : 2 * k + 2;
      f = c.feature[base + k];
    }
    sum += c.value[base + k];
  }
  return c.bias + c.rate * sum;
}
