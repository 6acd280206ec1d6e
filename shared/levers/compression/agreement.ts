/** How two answers to the same case compare, for the prompt regression gate. */
export interface CaseAgreement {
  exact: boolean;
  /** Both parse as JSON and are deep-equal; null when the original answer is not JSON. */
  jsonEqual: boolean | null;
  /** Token-bigram Dice similarity of the normalised texts, 0..1. */
  similarity: number;
  agree: boolean;
}

/** Answers agree when identical, JSON-equal, or at least `threshold` similar (default 0.9). */
export function compareAnswers(a: string, b: string, threshold = 0.9): CaseAgreement {
  const exact = a === b;
  const ja = parseJson(a);
  const jsonEqual = ja === undefined ? null : deepEqual(ja, parseJson(b));
  const similarity = exact ? 1 : diceSimilarity(a, b);
  return { exact, jsonEqual, similarity, agree: exact || jsonEqual === true || similarity >= threshold };
}

function parseJson(text: string): unknown {
  const t = text.trim().replace(/^```(?:json)?\s*|\s*```$/g, '');
  if (!t.startsWith('{') && !t.startsWith('[')) return undefined;
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((x, i) => deepEqual(x, (b as unknown[])[i]));
  const ka = Object.keys(a as object).sort();
  const kb = Object.keys(b as object).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function bigrams(text: string): Map<string, number> {
  const tokens = text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  const grams = new Map<string, number>();
  const items = tokens.length === 1 ? tokens : tokens.slice(1).map((t, i) => `${tokens[i]} ${t}`);
  for (const g of items) grams.set(g, (grams.get(g) ?? 0) + 1);
  return grams;
}

export function diceSimilarity(a: string, b: string): number {
  const ga = bigrams(a);
  const gb = bigrams(b);
  let total = 0;
  let inter = 0;
  for (const [g, n] of ga) {
    total += n;
    inter += Math.min(n, gb.get(g) ?? 0);
  }
  for (const n of gb.values()) total += n;
  return total === 0 ? 1 : (2 * inter) / total;
}
