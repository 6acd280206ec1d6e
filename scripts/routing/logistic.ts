/**
 * Full-batch L2-regularised logistic regression on hashed sparse features,
 * fitted with L-BFGS. Deterministic (no sampling), soft labels and sample
 * weights allowed, and a per-weight L2 strength so token buckets can be
 * regularised harder than the structural features.
 */
export interface Example {
  idx: number[];
  val: number[];
  /** Target in [0, 1]. */
  y: number;
  weight: number;
}

export interface FitOptions {
  dim: number;
  /** L2 strength per weight (length dim). */
  l2: Float64Array;
  maxIter?: number;
  tolerance?: number;
}

function objective(theta: Float64Array, data: Example[], l2: Float64Array, grad: Float64Array): number {
  grad.fill(0);
  let loss = 0;
  let totalW = 0;
  for (const ex of data) totalW += ex.weight;
  for (const ex of data) {
    let z = 0;
    for (let k = 0; k < ex.idx.length; k++) z += theta[ex.idx[k]] * ex.val[k];
    const p = 1 / (1 + Math.exp(-z));
    const w = ex.weight / totalW;
    // Stable cross-entropy: log(1+e^z) - y z.
    loss += w * ((z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - ex.y * z);
    const g = w * (p - ex.y);
    for (let k = 0; k < ex.idx.length; k++) grad[ex.idx[k]] += g * ex.val[k];
  }
  for (let j = 0; j < theta.length; j++) {
    if (l2[j] === 0 || theta[j] === 0) continue;
    loss += 0.5 * l2[j] * theta[j] * theta[j];
    grad[j] += l2[j] * theta[j];
  }
  return loss;
}

const dot = (a: Float64Array, b: Float64Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

export function fitLogistic(data: Example[], options: FitOptions): Float64Array {
  const { dim, l2 } = options;
  const maxIter = options.maxIter ?? 300;
  const tol = options.tolerance ?? 1e-7;
  const m = 10;
  let theta = new Float64Array(dim);
  let grad = new Float64Array(dim);
  let loss = objective(theta, data, l2, grad);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  for (let iter = 0; iter < maxIter; iter++) {
    // Two-loop recursion: direction = -H grad.
    const q = Float64Array.from(grad);
    const alpha: number[] = [];
    for (let i = S.length - 1; i >= 0; i--) {
      alpha[i] = rho[i] * dot(S[i], q);
      for (let j = 0; j < dim; j++) q[j] -= alpha[i] * Y[i][j];
    }
    const gamma = S.length ? dot(S[S.length - 1], Y[Y.length - 1]) / dot(Y[Y.length - 1], Y[Y.length - 1]) : 1 / Math.max(1, Math.sqrt(dot(grad, grad)));
    for (let j = 0; j < dim; j++) q[j] *= gamma;
    for (let i = 0; i < S.length; i++) {
      const beta = rho[i] * dot(Y[i], q);
      for (let j = 0; j < dim; j++) q[j] += S[i][j] * (alpha[i] - beta);
    }
    for (let j = 0; j < dim; j++) q[j] = -q[j];
    let dg = dot(q, grad);
    if (dg >= 0) {
      // Not a descent direction: restart from steepest descent.
      S.length = 0;
      Y.length = 0;
      rho.length = 0;
      for (let j = 0; j < dim; j++) q[j] = -grad[j];
      dg = dot(q, grad);
    }
    // Backtracking line search (Armijo).
    let step = 1;
    const next = new Float64Array(dim);
    const nextGrad = new Float64Array(dim);
    let nextLoss = Infinity;
    for (let ls = 0; ls < 30; ls++) {
      for (let j = 0; j < dim; j++) next[j] = theta[j] + step * q[j];
      nextLoss = objective(next, data, l2, nextGrad);
      if (nextLoss <= loss + 1e-4 * step * dg) break;
      step *= 0.5;
    }
    const s = new Float64Array(dim);
    const y = new Float64Array(dim);
    for (let j = 0; j < dim; j++) {
      s[j] = next[j] - theta[j];
      y[j] = nextGrad[j] - grad[j];
    }
    const sy = dot(s, y);
    if (sy > 1e-12) {
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
      if (S.length > m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
    }
    const improvement = loss - nextLoss;
    theta = next;
    grad = nextGrad;
    loss = nextLoss;
    if (improvement >= 0 && improvement < tol * Math.max(1, Math.abs(loss))) break;
  }
  return theta;
}
