import { stem } from '../../shared/levers/cache/guards/word-match';
import { readPairs, type Pair } from './pair-harness';

/**
 * The verifier's training data: the hard question pairs, the plain
 * paraphrases (all positive) and negatives of the plain kind made from them by
 * one meaning-changing edit (a number, a negation, a swapped name) — the
 * mistakes a cache must not make on long plain sentences either.
 */
export type PairKind = 'hard' | 'plain' | 'plain_negative';
export interface LabelledPair extends Pair {
  kind: PairKind;
}

export function loadVerifierPairs(hardFile: string, plainFiles: string[]): LabelledPair[] {
  const hard = readPairs(hardFile).map((p) => ({ ...p, kind: 'hard' as const }));
  const plain = plainFiles.flatMap((f) => readPairs(f)).map((p) => ({ ...p, kind: 'plain' as const }));
  return [...hard, ...plain, ...perturbations(plain)];
}

const AUX_NOT: [RegExp, string][] = [[/\b(is|are|was|were|can|does|do|did|will|should|could|would|has|have)\b(?! not)/i, '$1 not']];

/** One meaning-changing edit of `b` per plain pair, when one applies (deterministic). */
export function perturbations(plain: Pair[]): LabelledPair[] {
  const out: LabelledPair[] = [];
  const names: string[] = plain.flatMap((p) => namesIn(p.b));
  plain.forEach((p, i) => {
    const edits: string[] = [] as string[];
    const num = p.b.match(/\b\d+(\.\d+)?\b/);
    if (num) edits.push(p.b.replace(num[0], String(Number(num[0]) + (i % 3) + 1)));
    if (/\bnot\b/i.test(p.b)) edits.push(p.b.replace(/\s*\bnot\b/i, ''));
    else {
      for (const [re, to] of AUX_NOT) if (re.test(p.b)) edits.push(p.b.replace(re, to));
    }
    const own = namesIn(p.b);
    if (own.length && names.length) {
      const other = names[(i * 7 + 3) % names.length];
      // Not a swap for a word already there or for a variant of the replaced one ("Dataset" → "Datasets"): no meaning change.
      const replaced = own[own.length - 1];
      const present = `${p.a} ${p.b}`.toLowerCase().includes(other.toLowerCase());
      if (!present && stem(other.toLowerCase()) !== stem(replaced.toLowerCase())) edits.push(p.b.replace(replaced, other));
    }
    for (const b of edits) if (b !== p.b) out.push({ a: p.a, b, same: false, kind: 'plain_negative' });
  });
  return out;
}

/**
 * Capitalised words that are names, not a sentence's first word: swapping "Summarize" or "Tell" for "What" makes
 * broken text rather than a question about something else, and such rows were the highest-scoring "negatives".
 */
function namesIn(text: string): string[] {
  return [...text.matchAll(/(?<![.!?:]\s*|^\s*)\b[A-Z][a-z]{3,}\b/g)].map((m) => m[0]);
}

/**
 * Grouped folds: pairs that share a question (directly or through a chain of
 * pairs) are one connected component and always land in the same fold, so a
 * held-out fold never contains a question seen in training.
 */
export function groupFolds(pairs: Pair[], folds: number): number[] {
  const parent = new Map<string, string>();
  const key = (t: string) => t.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    let y = x;
    while (parent.get(y) !== r) {
      const next = parent.get(y)!;
      parent.set(y, r);
      y = next;
    }
    return r;
  };
  const add = (x: string) => {
    if (!parent.has(x)) parent.set(x, x);
  };
  for (const p of pairs) {
    const a = key(p.a);
    const b = key(p.b);
    add(a);
    add(b);
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  }
  return pairs.map((p) => hash(find(key(p.a))) % folds);
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}
