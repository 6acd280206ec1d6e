import { findMatch, stem, type RankOf } from './word-match';

/**
 * Rule helpers of the former guard stack. The rules themselves are now
 * features of the learned verifier (verifier/pair-features.ts), each kept only
 * where an ablation on both kinds of dev pairs showed it helps.
 */

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
  const pos = a
    .filter((w) => !w.endsWith('ly'))
    .map((w) =>
      findMatch(
        w,
        b.filter((x) => !x.endsWith('ly')),
        rankOf,
      ),
    )
    .filter((p) => p >= 0);
  let count = 0;
  for (let i = 0; i < pos.length; i++) for (let j = i + 1; j < pos.length; j++) if (pos[i] > pos[j]) count++;
  return count;
}
