import type { AnalysedText } from './text-analysis';
import { findMatch, stem, type RankOf } from './word-match';

/**
 * Cheap checks run on a semantic candidate before it is served. Each one
 * targets a trap where two texts sit close in embedding space but ask
 * different things; each is measured on its own in `npm run cache:eval`
 * (guard ablation) and can be switched off by name.
 */
export interface FalseHitGuard {
  readonly name: GuardName;
  /** One line on the trap it catches. */
  readonly catches: string;
  /** true = the candidate may be served. */
  pass(query: AnalysedText, candidate: AnalysedText, rankOf?: RankOf): boolean;
}

export const GUARD_NAMES = ['numbers', 'negation', 'question_type', 'persons', 'symbols', 'context', 'content', 'order'] as const;
export type GuardName = (typeof GUARD_NAMES)[number];

const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
const sameSet = (a: Set<string>, b: Set<string>) => a.size === b.size && [...a].every((x) => b.has(x));
/** "how" alone (method) is interchangeable with no question word ("What is the way to…"); with another one it is not. */
const strictTypes = (s: Set<string>) => (s.size === 1 && s.has('how') ? new Set<string>() : s);

/** Content words of `a` that have no counterpart in `b`. */
export function unmatchedWords(a: string[], b: string[], rankOf?: RankOf): string[] {
  return a.filter((w) => findMatch(w, b, rankOf) < 0);
}

/** Both texts use each shared word equally often ("science and philosophy of science" ≠ "science and philosophy"). */
export function sameCounts(a: string[], b: string[]): boolean {
  const count = (ws: string[]) => ws.reduce((m, w) => m.set(stem(w), (m.get(stem(w)) ?? 0) + 1), new Map<string, number>());
  const ca = count(a);
  const cb = count(b);
  for (const [w, n] of ca) if (cb.has(w) && cb.get(w) !== n) return false;
  return true;
}

/** Number of out-of-order pairs among the words of `a` that `b` also has. */
export function inversions(a: string[], b: string[], rankOf?: RankOf): number {
  // Adverbs move freely ("quickly learn" = "learn quickly"); roles do not.
  const pos = a.filter((w) => !w.endsWith('ly')).map((w) => findMatch(w, b.filter((x) => !x.endsWith('ly')), rankOf)).filter((p) => p >= 0);
  let count = 0;
  for (let i = 0; i < pos.length; i++) for (let j = i + 1; j < pos.length; j++) if (pos[i] > pos[j]) count++;
  return count;
}

export const GUARDS: readonly FalseHitGuard[] = [
  {
    name: 'numbers',
    catches: 'different numbers, years, dates, quantities ("lose 10 kg" vs "lose 15 kg")',
    pass: (q, c) => sameList(q.numbers, c.numbers),
  },
  {
    name: 'negation',
    catches: 'added, removed or moved negations ("not have X and be Y" vs "have X and not be Y")',
    pass: (q, c) => sameList(q.negations, c.negations),
  },
  {
    name: 'question_type',
    catches: 'a different question about the same thing ("Why …" vs "When …", "Does X …?" vs "How does X …?")',
    pass: (q, c) => sameSet(strictTypes(q.questionTypes), strictTypes(c.questionTypes)),
  },
  {
    name: 'persons',
    catches: 'a different subject ("help me" vs "help you", "my boss" vs "his boss")',
    // Generic subjects ("How do I/you …") are not counted (see text-analysis); any other pronoun difference is.
    pass: (q, c) => sameSet(q.persons, c.persons),
  },
  {
    name: 'symbols',
    catches: 'technical symbols and quoted literals ("C#" vs "C", "a < b" vs "a > b", what "X" means vs what "Y" means)',
    pass: (q, c) => sameList(q.symbols, c.symbols),
  },
  {
    name: 'context',
    catches: 'questions about something outside the text ("What kind of spider is this?", "the following program")',
    pass: (q, c) => !q.deictic && !c.deictic,
  },
  {
    name: 'content',
    catches: 'substituted or added names, places, units, words the word vectors cannot tell apart or do not know',
    pass: (q, c, rankOf) =>
      unmatchedWords(q.content, c.content, rankOf).length === 0 && unmatchedWords(c.content, q.content, rankOf).length === 0 && sameCounts(q.content, c.content),
  },
  {
    name: 'order',
    catches: 'swapped roles ("convert current to voltage" vs "voltage to current")',
    pass: (q, c, rankOf) => inversions(q.content, c.content, rankOf) === 0,
  },
];

/** Name of the first guard that rejects, or null when the candidate may be served. */
export function firstFailingGuard(
  query: AnalysedText,
  candidate: AnalysedText,
  options: { disabled?: ReadonlySet<string>; rankOf?: RankOf } = {},
): GuardName | null {
  for (const guard of GUARDS) {
    if (options.disabled?.has(guard.name)) continue;
    if (!guard.pass(query, candidate, options.rankOf)) return guard.name;
  }
  return null;
}
