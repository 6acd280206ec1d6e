/** RouteLLM's routing metrics over replayed (prompt, weak_correct, strong_correct) rows. */
export interface ReplayOutcome {
  score: number;
  weak: boolean;
  strong: boolean;
}

export interface ReplayMetrics {
  n: number;
  weak_accuracy: number;
  strong_accuracy: number;
  /** Average performance gap recovered: ∫(acc(s) − weak) ds / (strong − weak) over strong share s ∈ [0, 1]. */
  apgr: number;
  /** Strong-call share needed to recover 50% / 80% of the gap. */
  cpt50: number;
  cpt80: number;
}

const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;

/** Accuracy after sending the k highest-scoring rows to the strong model, k = 0..n. */
export function accuracyCurve(rows: ReplayOutcome[]): number[] {
  const n = rows.length;
  // Highest score first; ties broken by position so the curve is deterministic.
  const order = rows.map((r, i) => [r.score, i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  let correct = rows.reduce((a, r) => a + (r.weak ? 1 : 0), 0);
  const curve = [correct / n];
  for (const [, i] of order) {
    correct += (rows[i].strong ? 1 : 0) - (rows[i].weak ? 1 : 0);
    curve.push(correct / n);
  }
  return curve;
}

export function replayMetrics(rows: ReplayOutcome[]): ReplayMetrics {
  const n = rows.length;
  const weak = rows.filter((r) => r.weak).length / n;
  const strong = rows.filter((r) => r.strong).length / n;
  const curve = accuracyCurve(rows);
  let area = 0;
  for (let k = 1; k <= n; k++) area += (curve[k - 1] + curve[k]) / 2 / n;
  const gap = strong - weak;
  const cpt = (x: number) => {
    const target = weak + x * gap;
    for (let k = 0; k <= n; k++) if (curve[k] >= target - 1e-12) return k / n;
    return 1;
  };
  return {
    n,
    weak_accuracy: round(weak),
    strong_accuracy: round(strong),
    apgr: gap > 0 ? round((area - weak) / gap) : 0,
    cpt50: round(cpt(0.5)),
    cpt80: round(cpt(0.8)),
  };
}
